package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SqlTextTest {
    /** The vectors the Node plugin runs too (docs/events.md, "SQL masking"), once per dialect listed. */
    static Stream<Arguments> sharedVectors() throws IOException {
        Path file = TestPaths.moduleDir()
                .resolve("../core/schema/sql-masking-vectors.json")
                .normalize();
        JsonNode vectors = new ObjectMapper().readTree(file.toFile()).get("vectors");
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode vector : vectors) {
            for (JsonNode dialect : vector.get("dialects")) {
                List<String> literals = new ArrayList<>();
                vector.get("literals").forEach(node -> literals.add(node.textValue()));
                cases.add(Arguments.of(
                        dialect.textValue(),
                        vector.get("sql").textValue(),
                        vector.get("masked").textValue(),
                        literals,
                        vector.get("placeholders").booleanValue()));
            }
        }
        if (cases.size() < 100) {
            throw new IllegalStateException("expected the shared vectors in " + file + ", found " + cases.size());
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sharedVectors")
    void masksEverySharedVector(
            String dialect, String sql, String masked, List<String> literals, boolean placeholders) {
        List<String> found = new ArrayList<>();
        SqlText t = SqlText.of(sql, SqlDialect.named(dialect), found);
        assertEquals(masked, t.masked);
        assertEquals(literals, found);
        assertEquals(placeholders, t.placeholders);
        assertEquals(masked, SqlText.of(sql, SqlDialect.named(dialect)).masked);
    }

    @Test
    void stringsAndComparedNumbersWithoutPlaceholdersLookConcatenated() {
        assertTrue(SqlText.of("SELECT c FROM t WHERE name = 'o''brien'", SqlDialect.ANY).concatenated);
        assertTrue(SqlText.of("SELECT c FROM t WHERE id = -42", SqlDialect.ANY).concatenated);
        assertTrue(SqlText.of("SELECT c FROM t WHERE code = x'1F'", SqlDialect.ANY).concatenated);
        assertTrue(SqlText.of("SELECT c FROM t WHERE body = $$x$$", SqlDialect.POSTGRES).concatenated);
        assertFalse(SqlText.of("SELECT * FROM orders WHERE id = ? AND status = 'open'", SqlDialect.ANY).concatenated);
        assertFalse(SqlText.of("CREATE TABLE t (name VARCHAR(40), n DECIMAL(10, 2))", SqlDialect.ANY).concatenated);
        assertFalse(SqlText.of("SELECT c FROM t -- it's 'quoted'", SqlDialect.ANY).concatenated);
    }

    @Test
    void theDriverClassNamesTheDialect() {
        assertEquals(SqlDialect.ANY, SqlDialect.ofDriver(null));
        assertEquals(SqlDialect.ANY, SqlDialect.ofDriver(new Object()));
        assertEquals(SqlDialect.POSTGRES, SqlDialect.ofDriverClass("org.postgresql.jdbc.PgStatement"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.ofDriverClass("com.mysql.cj.jdbc.StatementImpl"));
        assertEquals(SqlDialect.MYSQL, SqlDialect.ofDriverClass("org.mariadb.jdbc.Statement"));
        assertEquals(SqlDialect.ANY, SqlDialect.ofDriverClass("org.sqlite.jdbc4.JDBC4Statement"));
        assertEquals(SqlDialect.ANY, SqlDialect.ofDriverClass("org.h2.jdbc.JdbcStatement"));
        assertEquals(SqlDialect.ANY, SqlDialect.ofDriverClass("com.zaxxer.hikari.pool.HikariProxyStatement"));
    }
}
