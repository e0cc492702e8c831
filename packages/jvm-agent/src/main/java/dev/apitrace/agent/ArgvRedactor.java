package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The redaction rules of docs/events.md ("Redaction"), the same in every emitter and
 * checked against packages/core/schema/redaction-vectors.json. Applied to argv and to
 * any argument recorded as text, before anything reaches disk.
 */
final class ArgvRedactor {
    static final String MASK = "***";

    private static final String[] SENSITIVE = {
        "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key",
        "auth", "credential", "cookie", "session", "private",
    };

    private static final String[] HEADERS = {
        "authorization:", "proxy-authorization:", "cookie:", "x-api-key:",
    };

    private ArgvRedactor() {
    }

    /** Rules 1 to 3 on every element, then rule 4 (a sensitive bare flag masks the next element). */
    static List<String> redact(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        boolean maskNext = false;
        for (String arg : argv) {
            out.add(maskNext ? MASK : redactText(arg));
            maskNext = isSensitiveBareFlag(arg);
        }
        return out;
    }

    /** Rules 1 to 3 on one string (used for argv elements and text arguments alike). */
    static String redactText(String s) {
        String header = redactHeader(s);
        if (header != null) {
            return header;
        }
        return redactKeyValues(redactUrlCredentials(s));
    }

    /** A word is sensitive when, lower-cased, it contains one of the listed fragments. */
    static boolean isSensitive(String word) {
        // Locale.ROOT: in a Turkish locale "AUTH".toLowerCase() would not contain "auth".
        String lower = word.toLowerCase(Locale.ROOT);
        for (String fragment : SENSITIVE) {
            if (lower.contains(fragment)) {
                return true;
            }
        }
        return false;
    }

    /** Rule 1: in {@code scheme://userinfo@host}, keep only the user name before a colon. */
    static String redactUrlCredentials(String s) {
        StringBuilder out = null;
        int copied = 0;
        int from = 0;
        int scheme;
        while ((scheme = s.indexOf("://", from)) >= 0) {
            int start = scheme + 3;
            int end = start;
            while (end < s.length() && "/?#".indexOf(s.charAt(end)) < 0) {
                end++;
            }
            int at = s.lastIndexOf('@', end - 1);
            if (at >= start) {
                int colon = s.indexOf(':', start);
                String userinfo = colon >= 0 && colon < at ? s.substring(start, colon) + ":" + MASK : MASK;
                if (out == null) {
                    out = new StringBuilder(s.length());
                }
                out.append(s, copied, start).append(userinfo);
                copied = at;
            }
            // An authority never holds a '/', so the next "://" cannot overlap this one.
            from = start;
        }
        if (out == null) {
            return s;
        }
        return out.append(s, copied, s.length()).toString();
    }

    /** Rule 2: the value of a sensitive {@code key=value} becomes {@code ***}. */
    static String redactKeyValues(String s) {
        StringBuilder out = null;
        int copied = 0;
        int from = 0;
        int eq;
        while ((eq = s.indexOf('=', from)) >= 0) {
            int keyStart = eq;
            while (keyStart > 0 && isKeyChar(s.charAt(keyStart - 1))) {
                keyStart--;
            }
            if (keyStart == eq || !isSensitive(s.substring(keyStart, eq))) {
                from = eq + 1;
                continue;
            }
            int end = eq + 1;
            while (end < s.length() && "&; ".indexOf(s.charAt(end)) < 0) {
                end++;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, eq + 1).append(MASK);
            copied = end;
            from = end;
        }
        if (out == null) {
            return s;
        }
        return out.append(s, copied, s.length()).toString();
    }

    private static boolean isKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '_' || c == '.' || c == '-';
    }

    /** Rule 3: {@code Authorization: Bearer x} becomes {@code Authorization: ***}; null when not a header. */
    static String redactHeader(String s) {
        int start = 0;
        while (start < s.length() && s.charAt(start) == ' ') {
            start++;
        }
        for (String header : HEADERS) {
            if (s.regionMatches(true, start, header, 0, header.length())) {
                int colon = start + header.length() - 1;
                return s.substring(start, colon) + ": " + MASK;
            }
        }
        return null;
    }

    /** Rule 4: {@code -x} or {@code --name} without {@code =}, whose name is sensitive. */
    static boolean isSensitiveBareFlag(String arg) {
        if (!arg.startsWith("-") || arg.indexOf('=') >= 0) {
            return false;
        }
        String name = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
        return !name.isEmpty() && isSensitive(name);
    }
}
