package dev.apitrace.agent;

/**
 * Which SQL a JDBC driver speaks, for masking (docs/events.md, "SQL masking"). Told from the
 * driver's own class (the {@code Statement} or {@code Connection} the hook sits on): nothing
 * is asked of the driver. Unknown drivers and pools' wrapper classes get {@link #ANY}, which
 * masks what any of the others would read as a value.
 */
enum SqlDialect {
    POSTGRES(Backslash.LITERAL, false, true, false, true, false),
    MYSQL(Backslash.ESCAPE, true, false, true, false, true),
    SQLITE(Backslash.LITERAL, false, false, false, false, false),
    ANY(Backslash.DOUBT, true, true, true, true, false);

    /** What a backslash in '...' means (E'...' always escapes). */
    enum Backslash {
        LITERAL,
        ESCAPE,
        DOUBT
    }

    final Backslash backslash;
    /** "..." is a string (MySQL without ANSI_QUOTES), not a name. */
    final boolean doubleQuotedStrings;

    final boolean dollarQuotes;
    final boolean hashComments;
    final boolean nestedComments;
    /** {@code 2fa_codes} is a name (MySQL), not the number 2 and a name. */
    final boolean digitLeadingNames;

    SqlDialect(
            Backslash backslash,
            boolean doubleQuotedStrings,
            boolean dollarQuotes,
            boolean hashComments,
            boolean nestedComments,
            boolean digitLeadingNames) {
        this.backslash = backslash;
        this.doubleQuotedStrings = doubleQuotedStrings;
        this.dollarQuotes = dollarQuotes;
        this.hashComments = hashComments;
        this.nestedComments = nestedComments;
        this.digitLeadingNames = digitLeadingNames;
    }

    /** The dialect of the driver whose object this is; {@link #ANY} when not known. */
    static SqlDialect ofDriver(Object statementOrConnection) {
        return statementOrConnection == null
                ? ANY
                : ofDriverClass(statementOrConnection.getClass().getName());
    }

    static SqlDialect ofDriverClass(String name) {
        if (name.startsWith("org.postgresql.") || name.startsWith("com.impossibl.postgres.")) {
            return POSTGRES;
        }
        if (name.startsWith("com.mysql.") || name.startsWith("org.mariadb.")) {
            return MYSQL;
        }
        // sqlite-jdbc builds SQLite with double-quoted strings allowed: ANY masks them.
        return ANY;
    }

    /** The dialect a shared vector names. */
    static SqlDialect named(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
