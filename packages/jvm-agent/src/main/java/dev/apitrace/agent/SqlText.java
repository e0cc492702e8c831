package dev.apitrace.agent;

import java.util.List;

/**
 * SQL text as recorded: every literal masked as {@code ?} and every comment's text dropped, in
 * one linear scan by the rules of docs/events.md ("SQL masking"), shared with the Node plugin
 * through packages/core/schema/sql-masking-vectors.json. When the scan cannot tell whether text
 * is a value (an unterminated literal, a backslash of unknown meaning), it masks to the end.
 * Also whether the text looks built from values (a value literal and no placeholder): the
 * {@code concatenated_sql} clue.
 */
final class SqlText {
    /** PostgreSQL's identifier limit; a longer dollar tag is masked to the end rather than searched for. */
    private static final int MAX_DOLLAR_TAG = 63;

    final String masked;
    /** The text uses bind parameters ({@code ?}, {@code $1}, {@code :name}, {@code @name}, {@code $name}). */
    final boolean placeholders;
    /** A string literal, or a number right after a comparison, and no placeholder. */
    final boolean concatenated;

    private SqlText(String masked, boolean placeholders, boolean concatenated) {
        this.masked = masked;
        this.placeholders = placeholders;
        this.concatenated = concatenated;
    }

    static SqlText of(String sql, SqlDialect dialect) {
        return of(sql, dialect, null);
    }

    /** Masks {@code sql} as {@code dialect} reads it; literal values go to {@code literals} when given. */
    static SqlText of(String sql, SqlDialect dialect, List<String> literals) {
        Scan s = new Scan(sql, dialect, literals);
        s.run();
        String masked =
                s.out == null ? sql : s.out.append(sql, s.copied, sql.length()).toString();
        return new SqlText(masked, s.placeholders, s.valueLiteral && !s.placeholders);
    }

    private static final class Scan {
        private final String sql;
        private final int n;
        private final SqlDialect rules;
        private final List<String> literals;
        StringBuilder out;
        int copied;
        boolean placeholders;
        boolean valueLiteral;

        Scan(String sql, SqlDialect rules, List<String> literals) {
            this.sql = sql;
            this.n = sql.length();
            this.rules = rules;
            this.literals = literals;
        }

        /** The character at i, or 0 past the end (no rule starts or continues on 0). */
        private char at(int i) {
            return i < n ? sql.charAt(i) : 0;
        }

        void run() {
            int i = 0;
            while (i < n) {
                char c = sql.charAt(i);
                char next = at(i + 1);
                if (c == '\'') {
                    i = stringLiteral(i, i + 1, rules.backslash);
                } else if (c == '"') {
                    i = rules.doubleQuotedStrings ? stringLiteral(i, i + 1, rules.backslash) : quotedName(i);
                } else if (c == '`') {
                    i = quotedName(i);
                } else if (c == '-' && next == '-') {
                    i = lineComment(i, "-- ?");
                } else if (c == '#' && rules.hashComments) {
                    i = lineComment(i, "# ?");
                } else if (c == '/' && next == '*') {
                    i = blockComment(i);
                } else if (c == '$') {
                    i = dollar(i);
                } else if (c == '?') {
                    placeholders = true;
                    i++;
                    while (isDigit(at(i))) {
                        i++; // SQLite's ?NNN
                    }
                } else if (c == ':' && next == ':') {
                    i += 2;
                } else if ((c == ':' || c == '@') && isNameStart(next)) {
                    placeholders = true;
                    i = nameEnd(i + 1);
                } else if (isDigit(c) || (c == '.' && isDigit(next))) {
                    i = number(i);
                } else if (isNameStart(c)) {
                    i = word(i);
                } else {
                    i++;
                }
            }
        }

        private void mask(int start, int end, String replacement) {
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(sql, copied, start).append(replacement);
            copied = end;
        }

        private int nameEnd(int j) {
            while (j < n && isNameChar(sql.charAt(j))) {
                j++;
            }
            return j;
        }

        private int digitsFrom(int j) {
            while (j < n
                    && (isDigit(sql.charAt(j)) || (sql.charAt(j) == '_' && isDigit(at(j - 1)) && isDigit(at(j + 1))))) {
                j++;
            }
            return j;
        }

        /** Where a quoted run whose body starts at bodyStart ends (after its closing quote); -1 when it never does. */
        private int quotedEnd(int bodyStart, char quote, SqlDialect.Backslash backslash) {
            int j = bodyStart;
            while (j < n) {
                char c = sql.charAt(j);
                if (c == '\\' && backslash != SqlDialect.Backslash.LITERAL) {
                    if (backslash == SqlDialect.Backslash.DOUBT) {
                        return -1;
                    }
                    j += 2;
                } else if (c == quote) {
                    if (at(j + 1) != quote) {
                        return j + 1;
                    }
                    j += 2;
                } else {
                    j++;
                }
            }
            return -1;
        }

        /** A string literal from {@code start} (its prefix included) whose body starts at bodyStart. */
        private int stringLiteral(int start, int bodyStart, SqlDialect.Backslash backslash) {
            char quote = sql.charAt(bodyStart - 1);
            int closed = quotedEnd(bodyStart, quote, backslash);
            int end = closed < 0 ? n : closed;
            if (literals != null) {
                String q = String.valueOf(quote);
                literals.add(
                        sql.substring(bodyStart, closed < 0 ? n : closed - 1).replace(q + q, q));
            }
            valueLiteral = true;
            mask(start, end, "?");
            return end;
        }

        /** A quoted name: kept when closed, masked to the end when not. */
        private int quotedName(int start) {
            int closed = quotedEnd(start + 1, sql.charAt(start), SqlDialect.Backslash.LITERAL);
            if (closed >= 0) {
                return closed;
            }
            mask(start, n, "?");
            return n;
        }

        private int lineComment(int start, String replacement) {
            int j = start;
            while (j < n && sql.charAt(j) != '\n' && sql.charAt(j) != '\r') {
                j++;
            }
            mask(start, j, replacement);
            return j;
        }

        private int blockComment(int start) {
            int depth = 1;
            int j = start + 2;
            while (j < n && depth > 0) {
                char c = sql.charAt(j);
                if (c == '*' && at(j + 1) == '/') {
                    depth--;
                    j += 2;
                } else if (c == '/' && at(j + 1) == '*' && rules.nestedComments) {
                    depth++;
                    j += 2;
                } else {
                    j++;
                }
            }
            mask(start, j, "/* ? */");
            return j;
        }

        private int dollar(int start) {
            int j = start + 1;
            if (isDigit(at(j))) {
                placeholders = true;
                while (isDigit(at(j))) {
                    j++;
                }
                return j;
            }
            if (rules.dollarQuotes && (at(j) == '$' || isNameStart(at(j)))) {
                while (j < n && (isNameStart(sql.charAt(j)) || isDigit(sql.charAt(j)))) {
                    j++;
                }
                if (at(j) == '$') {
                    int bodyStart = j + 1;
                    int tagLength = j - start - 1;
                    int close =
                            tagLength > MAX_DOLLAR_TAG ? -1 : sql.indexOf(sql.substring(start, bodyStart), bodyStart);
                    int end = close < 0 ? n : close + bodyStart - start;
                    if (literals != null) {
                        literals.add(
                                tagLength > MAX_DOLLAR_TAG
                                        ? sql.substring(start + 1)
                                        : sql.substring(bodyStart, close < 0 ? n : close));
                    }
                    valueLiteral = true;
                    mask(start, end, "?");
                    return end;
                }
                j = start + 1;
            }
            if (isNameStart(at(j))) {
                placeholders = true;
                while (j < n && isNameChar(sql.charAt(j)) && sql.charAt(j) != '$') {
                    j++;
                }
            }
            return j;
        }

        private int number(int start) {
            char radix = sql.charAt(start) == '0' ? (char) (at(start + 1) | 0x20) : 0;
            int j;
            if (radix == 'x' && isHexDigit(at(start + 2))) {
                j = start + 2;
                while (isHexDigit(at(j))) {
                    j++;
                }
            } else if (radix == 'b' && (at(start + 2) == '0' || at(start + 2) == '1')) {
                j = start + 2;
                while (at(j) == '0' || at(j) == '1') {
                    j++;
                }
            } else if (radix == 'o' && at(start + 2) >= '0' && at(start + 2) <= '7') {
                j = start + 2;
                while (at(j) >= '0' && at(j) <= '7') {
                    j++;
                }
            } else {
                j = digitsFrom(start);
                if (at(j) == '.') {
                    j = digitsFrom(j + 1);
                }
                if ((at(j) | 0x20) == 'e') {
                    int sign = at(j + 1) == '+' || at(j + 1) == '-' ? 1 : 0;
                    if (isDigit(at(j + 1 + sign))) {
                        j = digitsFrom(j + 1 + sign);
                    }
                }
            }
            if (rules.digitLeadingNames && j < n && isNameChar(sql.charAt(j))) {
                return nameEnd(j);
            }
            if (literals != null) {
                literals.add(sql.substring(start, j));
            }
            if (afterComparison(start)) {
                valueLiteral = true;
            }
            mask(start, j, "?");
            return j;
        }

        /** The text before {@code start} ends (spaces and a sign aside) with a comparison. */
        private boolean afterComparison(int start) {
            int j = start - 1;
            while (j >= 0 && Character.isWhitespace(sql.charAt(j))) {
                j--;
            }
            if (j >= 0 && (sql.charAt(j) == '-' || sql.charAt(j) == '+')) {
                j--;
                while (j >= 0 && Character.isWhitespace(sql.charAt(j))) {
                    j--;
                }
            }
            if (j < 0) {
                return false;
            }
            char c = sql.charAt(j);
            return c == '=' || c == '<' || c == '>';
        }

        private int word(int start) {
            int j = nameEnd(start + 1);
            if (j == start + 1) {
                char letter = (char) (sql.charAt(start) | 0x20);
                char next = at(j);
                if (next == '\'') {
                    if (letter == 'e') {
                        return stringLiteral(start, j + 1, SqlDialect.Backslash.ESCAPE);
                    }
                    if (letter == 'n' || letter == 'x' || letter == 'b') {
                        return stringLiteral(start, j + 1, rules.backslash);
                    }
                } else if (letter == 'u' && next == '&' && at(j + 1) == '\'') {
                    return stringLiteral(start, j + 2, rules.backslash);
                }
            }
            return j;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isNameChar(char c) {
        return isNameStart(c) || isDigit(c) || c == '$';
    }
}
