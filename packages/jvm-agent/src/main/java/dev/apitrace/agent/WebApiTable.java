package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP exchanges served and called, aggregated by (direction, method, host, route,
 * status) and written as deltas at each flush (docs/events.md, "Keys and deltas").
 */
final class WebApiTable {
    /** The key of a web_api record, plus the first caller seen (not part of the key). */
    static final class Entry {
        final String direction;
        final String method;
        final String scheme;
        final String host;
        final String route;
        final int status;
        final String framework;
        String caller;

        long count;
        long firstT;
        long lastT;
        long min;
        long max;
        long sum;

        Entry(String direction, String method, String scheme, String host, String route, int status, String framework) {
            this.direction = direction;
            this.method = method;
            this.scheme = scheme;
            this.host = host;
            this.route = route;
            this.status = status;
            this.framework = framework;
        }

        String key() {
            return direction + ' ' + method + ' ' + host + ' ' + route + ' ' + status + ' ' + framework;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();

    synchronized void add(Entry e, long t0, long t1, String caller) {
        Entry held = entries.get(e.key());
        if (held == null) {
            held = e;
            held.caller = caller;
            entries.put(e.key(), held);
        }
        long dur = Math.max(0, t1 - t0);
        if (held.count == 0) {
            held.firstT = t0;
            held.min = dur;
            held.max = dur;
        } else {
            held.min = Math.min(held.min, dur);
            held.max = Math.max(held.max, dur);
        }
        held.count++;
        held.lastT = Math.max(held.lastT, t1);
        held.sum += dur;
    }

    /** Writes every key with exchanges since the last call, and starts their deltas anew. */
    void writeDeltas(EventWriter writer) {
        List<long[]> values = new ArrayList<>();
        List<Entry> keys = new ArrayList<>();
        synchronized (this) {
            for (Entry e : entries.values()) {
                if (e.count > 0) {
                    keys.add(e);
                    values.add(new long[] {e.count, e.firstT, e.lastT, e.min, e.max, e.sum});
                    e.count = 0;
                    e.sum = 0;
                    e.lastT = 0;
                }
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            long[] v = values.get(i);
            writer.webApi(keys.get(i), v[0], v[1], v[2], v[3], v[4], v[5]);
        }
    }

    /** {@code /users/42/orders/7f3a...} becomes {@code /users/:id/orders/:id}; query and fragment are dropped. */
    static String routeTemplate(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        int cut = path.length();
        int q = path.indexOf('?');
        if (q >= 0) {
            cut = q;
        }
        int h = path.indexOf('#');
        if (h >= 0 && h < cut) {
            cut = h;
        }
        String[] segments = path.substring(0, cut).split("/", -1);
        StringBuilder out = new StringBuilder(cut);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(isIdentifier(segments[i]) ? ":id" : segments[i]);
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    /** Numbers, UUIDs, long hex strings with a digit, and the path tokens of the redaction rules: values, not names. */
    static boolean isIdentifier(String segment) {
        int n = segment.length();
        if (n == 0) {
            return false;
        }
        boolean digitsOnly = true;
        boolean hexOrDash = true;
        boolean hasDigit = false;
        for (int i = 0; i < n; i++) {
            char c = segment.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            hasDigit |= digit;
            digitsOnly &= digit;
            hexOrDash &= digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
        }
        return digitsOnly || (hexOrDash && hasDigit && n >= 8) || ArgvRedactor.isPathToken(segment, 0, n);
    }
}
