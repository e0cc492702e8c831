package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SqlTextTest {
    @Test
    void masksStringAndNumberLiteralsButNotIdentifiers() {
        SqlText t = SqlText.of("SELECT \"col1\", t2.x FROM t2 WHERE name = 'o''brien' AND age > 42 AND code = x'1F'");
        assertEquals("SELECT \"col1\", t2.x FROM t2 WHERE name = ? AND age > ? AND code = x?", t.masked);
        assertTrue(t.concatenated);
    }

    @Test
    void placeholdersMeanNotConcatenated() {
        SqlText t = SqlText.of("SELECT * FROM orders WHERE id = ? AND status = 'open'");
        assertEquals("SELECT * FROM orders WHERE id = ? AND status = ?", t.masked);
        assertFalse(t.concatenated);
    }

    @Test
    void sizesInDdlAreMaskedButAreNoValueLiterals() {
        SqlText t = SqlText.of("CREATE TABLE t (name VARCHAR(40), n DECIMAL(10, 2))");
        assertEquals("CREATE TABLE t (name VARCHAR(?), n DECIMAL(?, ?))", t.masked);
        assertFalse(t.concatenated);
    }

    @Test
    void commentsAndUnterminatedLiteralsDoNotLeakOrFail() {
        assertEquals("SELECT 1 -- it's a comment", SqlText.of("SELECT 1 -- it's a comment").masked.replace("SELECT ?", "SELECT 1"));
        assertEquals("SELECT ?", SqlText.of("SELECT 'secret").masked);
    }
}
