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
        "pass",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "auth",
        "credential",
        "cookie",
        "session",
        "private",
    };

    private static final String[] HEADERS = {
        "authorization:", "proxy-authorization:", "cookie:", "x-api-key:",
    };

    private ArgvRedactor() {}

    /** What rule 6 carries from word to word, and from one argv element to the next. */
    private static final class MysqlState {
        /** A MySQL client program was named: its -p takes the password glued on. */
        boolean afterMysqlProgram;
    }

    /** The rules of {@link #redactText} on every element, and rule 4 (a sensitive bare flag masks the next element). */
    static List<String> redact(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        MysqlState state = new MysqlState();
        boolean maskNext = false;
        for (String arg : argv) {
            // -pSECRET after a MySQL program is a password (rule 6), not a flag named "pSECRET"
            boolean gluedPassword = state.afterMysqlProgram && gluedPasswordStart(arg) >= 0;
            out.add(maskNext ? MASK : redactText(arg, state));
            maskNext = isSensitiveBareFlag(arg) && !gluedPassword;
        }
        return out;
    }

    /** Rules 1, 2, 3, 5 and 6 on one string (used for argv elements and text arguments alike). */
    static String redactText(String s) {
        return redactText(s, new MysqlState());
    }

    private static String redactText(String s, MysqlState state) {
        String header = redactHeader(s);
        if (header != null) {
            return header;
        }
        return redactMysqlPasswords(redactKeyValues(redactUrls(s)), state);
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

    /**
     * Rules 1 and 5: in {@code scheme://userinfo@host}, keep only the user name before a colon;
     * in the path after it, a segment that is a token becomes {@code ***}.
     */
    static String redactUrls(String s) {
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
            from = end;
            if (end < s.length() && s.charAt(end) == '/') {
                int pathEnd = urlPathEnd(s, end);
                int segment = end + 1;
                while (segment <= pathEnd) {
                    int segmentEnd = segment;
                    while (segmentEnd < pathEnd && s.charAt(segmentEnd) != '/') {
                        segmentEnd++;
                    }
                    if (isPathToken(s, segment, segmentEnd)) {
                        if (out == null) {
                            out = new StringBuilder(s.length());
                        }
                        out.append(s, copied, segment).append(MASK);
                        copied = segmentEnd;
                    }
                    segment = segmentEnd + 1;
                }
                from = pathEnd;
            }
        }
        if (out == null) {
            return s;
        }
        return out.append(s, copied, s.length()).toString();
    }

    /** Where a URL path starting at {@code i} ends: a query, fragment, space, quote or the next URL. */
    private static int urlPathEnd(String s, int i) {
        while (i < s.length()
                && !isAsciiSpace(s.charAt(i))
                && "?#'\"".indexOf(s.charAt(i)) < 0
                && !s.startsWith("://", i)) {
            i++;
        }
        return i;
    }

    /** Rule 5: a path segment that is a token (long hex, long base64url with a digit, a JWT), not a name. */
    static boolean isPathToken(String s, int from, int to) {
        int n = to - from;
        if (n >= 3 && s.startsWith("eyJ", from)) {
            // a JWT: base64url parts joined by two or more dots, the header's {" first
            int dots = 0;
            boolean jwt = true;
            for (int i = from; i < to && jwt; i++) {
                char c = s.charAt(i);
                if (c == '.') {
                    dots++;
                } else {
                    jwt = isBase64Url(c);
                }
            }
            if (jwt && dots >= 2) {
                return true;
            }
        }
        if (n < 32) {
            return false;
        }
        boolean hex = true;
        boolean base64url = true;
        boolean digit = false;
        boolean letter = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            base64url &= isBase64Url(c);
            digit |= c >= '0' && c <= '9';
            letter |= isAsciiLetter(c);
        }
        return hex || (base64url && digit && letter);
    }

    private static boolean isBase64Url(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
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
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '_'
                || c == '.'
                || c == '-';
    }

    /** Rule 3: {@code Authorization: Bearer x} becomes {@code Authorization: ***}; null when not a header. */
    static String redactHeader(String s) {
        int start = 0;
        while (start < s.length() && isAsciiSpace(s.charAt(start))) {
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

    /**
     * Rule 6: after a word naming a MySQL or MariaDB client, {@code -p} (alone or after other
     * short flags) takes the password glued on: everything after that p, to the next space,
     * becomes {@code ***}.
     */
    private static String redactMysqlPasswords(String s, MysqlState state) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int end = i;
            while (end < n && !isAsciiSpace(s.charAt(end))) {
                end++;
            }
            String word = s.substring(i, end);
            int glued = state.afterMysqlProgram ? gluedPasswordStart(word) : -1;
            if (glued >= 0) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(s, copied, i + glued).append(MASK);
                copied = end;
            }
            if (isMysqlProgram(word)) {
                state.afterMysqlProgram = true;
            }
            i = end;
            while (i < n && isAsciiSpace(s.charAt(i))) {
                i++;
            }
        }
        if (out == null) {
            return s;
        }
        return out.append(s, copied, n).toString();
    }

    /** Where the glued password of {@code ['"]*-[letters but p]*p<more>} starts; -1 for another shape. */
    static int gluedPasswordStart(String word) {
        int i = 0;
        int n = word.length();
        while (i < n && (word.charAt(i) == '\'' || word.charAt(i) == '"')) {
            i++;
        }
        if (i >= n || word.charAt(i) != '-') {
            return -1;
        }
        for (i++; i < n && word.charAt(i) != 'p'; i++) {
            if (!isAsciiLetter(word.charAt(i))) {
                return -1;
            }
        }
        return i + 1 < n ? i + 1 : -1;
    }

    /** The word's last path component, leading quotes aside, starts with mysql or mariadb. */
    private static boolean isMysqlProgram(String word) {
        int i = word.lastIndexOf('/') + 1;
        while (i < word.length() && (word.charAt(i) == '\'' || word.charAt(i) == '"')) {
            i++;
        }
        return word.startsWith("mysql", i) || word.startsWith("mariadb", i);
    }
}
