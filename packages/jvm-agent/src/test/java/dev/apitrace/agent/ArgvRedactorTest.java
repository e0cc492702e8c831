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
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArgvRedactorTest {
    /** The vectors every emitter shares (docs/events.md, Redaction). */
    static Stream<Arguments> sharedVectors() throws IOException {
        Path file = TestPaths.moduleDir()
                .resolve("../core/schema/redaction-vectors.json")
                .normalize();
        JsonNode vectors = new ObjectMapper().readTree(file.toFile()).get("vectors");
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode vector : vectors) {
            cases.add(Arguments.of(strings(vector.get("argv")), strings(vector.get("redacted"))));
        }
        if (cases.size() < 20) {
            throw new IllegalStateException("expected the shared vectors in " + file + ", found " + cases.size());
        }
        return cases.stream();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.textValue()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedVectors")
    void redactsEverySharedVector(List<String> argv, List<String> expected) {
        assertEquals(expected, ArgvRedactor.redact(argv));
    }

    @Test
    void everyUrlInOneStringLosesItsPassword() {
        assertEquals("a https://u:***@h/x b ftp://***@g", ArgvRedactor.redactText("a https://u:p@h/x b ftp://t@g"));
        assertEquals("x://a/b://u:***@h", ArgvRedactor.redactText("x://a/b://u:p@h"));
    }

    @Test
    void urlUserinfoEndsAtTheLastAtSign() {
        assertEquals("https://me@corp:***@host/", ArgvRedactor.redactText("https://me@corp:pw@host/"));
        // An '@' after the authority (in the path) is not userinfo.
        assertEquals("https://host/a@b", ArgvRedactor.redactText("https://host/a@b"));
    }

    @Test
    void headersKeepTheirNameAsWritten() {
        assertEquals("Proxy-Authorization: ***", ArgvRedactor.redactText("  Proxy-Authorization: Basic eA=="));
        assertEquals("X-API-KEY: ***", ArgvRedactor.redactText("X-API-KEY:k"));
        assertEquals("Accept: text/html", ArgvRedactor.redactText("Accept: text/html"));
        assertEquals("x-authorization: y", ArgvRedactor.redactText("x-authorization: y"));
    }

    @Test
    void keyValueMasksUpToAmpersandSemicolonOrSpace() {
        assertEquals(
                "session=***&a=1 token=***;b=2 pwd=***", ArgvRedactor.redactText("session=s1&a=1 token=t;b=2 pwd=p"));
    }

    @Test
    void bareFlagsNeedASensitiveNameAndNoEquals() {
        assertTrue(ArgvRedactor.isSensitiveBareFlag("--token"));
        assertTrue(ArgvRedactor.isSensitiveBareFlag("-Password"));
        assertFalse(ArgvRedactor.isSensitiveBareFlag("--token=x"));
        assertFalse(ArgvRedactor.isSensitiveBareFlag("token"));
        assertFalse(ArgvRedactor.isSensitiveBareFlag("-"));
        assertFalse(ArgvRedactor.isSensitiveBareFlag("--"));
        assertEquals(
                List.of("x", "--token", "***", "***"), ArgvRedactor.redact(List.of("x", "--token", "--secret", "v")));
    }

    @Test
    void sensitivityIgnoresTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            // In Turkish, "I".toLowerCase() is a dotless i, which would hide "PRIVATE".
            Locale.setDefault(Locale.forLanguageTag("tr"));
            assertTrue(ArgvRedactor.isSensitive("PRIVATE_KEY"));
            assertEquals("PRIVATE_KEY=***", ArgvRedactor.redactText("PRIVATE_KEY=k"));
        } finally {
            Locale.setDefault(saved);
        }
    }
}
