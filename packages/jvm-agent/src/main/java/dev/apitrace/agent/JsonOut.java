package dev.apitrace.agent;

import java.util.List;

/**
 * Minimal JSON encoder for one record at a time. Only {@link EventWriter} uses it:
 * hooks hand data to the writer and never build JSON themselves.
 *
 * <p>Strings come out as valid UTF-8 JSON: quote, backslash and control characters
 * are escaped, well-formed surrogate pairs pass through (the writer encodes them as
 * UTF-8), and a lone surrogate, which has no UTF-8 form, is written as a {@code \\uXXXX}
 * escape, the way {@code JSON.stringify} does it, so nothing is lost or replaced.
 */
final class JsonOut {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;

    JsonOut(StringBuilder out) {
        this.out = out;
    }

    JsonOut beginObject() {
        separate();
        out.append('{');
        return this;
    }

    JsonOut beginObject(String name) {
        name(name);
        out.append('{');
        return this;
    }

    JsonOut endObject() {
        out.append('}');
        return this;
    }

    JsonOut field(String name, String value) {
        name(name);
        string(out, value);
        return this;
    }

    JsonOut field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    JsonOut field(String name, boolean value) {
        name(name);
        out.append(value);
        return this;
    }

    JsonOut beginArray(String name) {
        name(name);
        out.append('[');
        return this;
    }

    JsonOut endArray() {
        out.append(']');
        return this;
    }

    /** A string, number, boolean or null; anything else is written as its string form. */
    JsonOut scalar(String name, Object value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte) {
            out.append(value);
        } else {
            string(out, value.toString());
        }
        return this;
    }

    JsonOut field(String name, List<String> values) {
        name(name);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, values.get(i));
        }
        out.append(']');
        return this;
    }

    private void name(String name) {
        separate();
        string(out, name);
        out.append(':');
    }

    /** A comma goes before every member except the first of an object or array. */
    private void separate() {
        int n = out.length();
        if (n == 0) {
            return;
        }
        char last = out.charAt(n - 1);
        if (last != '{' && last != '[' && last != ':') {
            out.append(',');
        }
    }

    /** Appends {@code s} as a JSON string literal; null becomes JSON null. */
    static void string(StringBuilder out, CharSequence s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int n = s.length();
        // Most strings (names, signatures, paths) need no escape: appended whole.
        int plain = 0;
        while (plain < n) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f || Character.isSurrogate(c)) {
                break;
            }
            plain++;
        }
        out.append(s, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            unicodeEscape(out, c);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        // A low surrogate not preceded by a high one (pairs are consumed above).
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
