package dev.apitrace.agent;

/**
 * SQL text as recorded: string and numeric literals masked as {@code ?}, and whether it
 * looks built from values (literals compared or inserted, no placeholder), the
 * {@code concatenated_sql} clue.
 */
final class SqlText {
    final String masked;
    final boolean concatenated;

    private SqlText(String masked, boolean concatenated) {
        this.masked = masked;
        this.concatenated = concatenated;
    }

    static SqlText of(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        boolean placeholder = false;
        boolean valueLiteral = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                // A string literal; '' inside it is an escaped quote.
                i++;
                while (i < n) {
                    if (sql.charAt(i) == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
                i++;
                out.append('?');
                valueLiteral = true;
            } else if (c == '"' || c == '`') {
                int end = sql.indexOf(c, i + 1);
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (Character.isDigit(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
                    end++;
                }
                if (afterComparison(out)) {
                    valueLiteral = true;
                }
                out.append('?');
                i = end;
            } else {
                if (c == '?') {
                    placeholder = true;
                }
                out.append(c);
                i++;
            }
        }
        return new SqlText(out.toString(), valueLiteral && !placeholder);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$';
    }

    /** The text so far ends (spaces aside) with a comparison or a value list position. */
    private static boolean afterComparison(StringBuilder out) {
        int j = out.length() - 1;
        while (j >= 0 && Character.isWhitespace(out.charAt(j))) {
            j--;
        }
        if (j < 0) {
            return false;
        }
        char c = out.charAt(j);
        return c == '=' || c == '<' || c == '>';
    }
}
