package dev.apitrace.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The identity attributes of a jar manifest's main section, keyed by their {@code code_unit}
 * names. Read by hand rather than with {@link java.util.jar.Manifest}: only a bounded prefix
 * of the file is read (a manifest can list every package of a bundle), and an attribute cut
 * off by that bound is dropped rather than reported short. What they prove is the core's call.
 */
final class ManifestIdentity {
    static final String ENTRY = "META-INF/MANIFEST.MF";
    static final int MAX_BYTES = 256 * 1024;
    static final int MAX_VALUE_CHARS = 256;

    private static final String[][] ATTRIBUTES = {
        {"implementation-version", "implementation_version"},
        {"implementation-vendor-id", "implementation_vendor_id"},
        {"bundle-symbolicname", "bundle_symbolic_name"},
        {"bundle-version", "bundle_version"},
        {"automatic-module-name", "automatic_module_name"},
    };

    private ManifestIdentity() {}

    static Map<String, String> read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        boolean cut = bytes.length > MAX_BYTES;
        return parse(new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.UTF_8), cut);
    }

    /** {@code cut}: the text stops at the read bound, so its last attribute may be incomplete. */
    static Map<String, String> parse(String text, boolean cut) {
        Map<String, String> main = new HashMap<>();
        String name = null;
        StringBuilder value = null;
        int start = 0;
        while (start <= text.length()) {
            int end = start;
            while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
                end++;
            }
            boolean lastLine = end >= text.length();
            String line = text.substring(start, end);
            if (lastLine && cut) {
                // This line was cut off by the bound; the attribute before it is whole only
                // when this line begins another one (a continuation begins with a space).
                if (!line.isEmpty() && !line.startsWith(" ")) {
                    put(main, name, value);
                }
                name = null;
                break;
            }
            if (line.isEmpty() && !lastLine) {
                break; // the main section ends at the first empty line
            }
            if (line.startsWith(" ")) {
                if (value != null && value.length() <= MAX_VALUE_CHARS) {
                    value.append(line, 1, Math.min(line.length(), MAX_VALUE_CHARS + 2));
                }
            } else {
                put(main, name, value);
                int colon = line.indexOf(": ");
                name = colon > 0 ? line.substring(0, colon).toLowerCase(Locale.ROOT) : null;
                value = colon > 0
                        ? new StringBuilder(
                                line.substring(colon + 2, Math.min(line.length(), colon + 2 + MAX_VALUE_CHARS + 1)))
                        : null;
            }
            if (lastLine) {
                break;
            }
            start = end + (text.charAt(end) == '\r' && end + 1 < text.length() && text.charAt(end + 1) == '\n' ? 2 : 1);
        }
        put(main, name, value);
        Map<String, String> found = new LinkedHashMap<>();
        for (String[] attribute : ATTRIBUTES) {
            String v = main.get(attribute[0]);
            if (v != null && attribute[0].equals("bundle-symbolicname") && v.indexOf(';') >= 0) {
                v = v.substring(0, v.indexOf(';'));
            }
            v = v == null ? null : v.trim();
            if (v != null && !v.isEmpty() && v.length() <= MAX_VALUE_CHARS) {
                found.put(attribute[1], v);
            }
        }
        return found;
    }

    private static void put(Map<String, String> main, String name, StringBuilder value) {
        if (name != null && value != null && !main.containsKey(name)) {
            main.put(name, value.toString());
        }
    }
}
