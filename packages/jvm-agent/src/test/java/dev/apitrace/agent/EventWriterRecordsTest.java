package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every record kind the instrumentation writes, as the writer formats it, against the schema. */
class EventWriterRecordsTest {
    @TempDir
    Path dir;

    @Test
    void everyKindFitsTheContract() throws Exception {
        EventWriter w = EventWriter.create(dir, 99);
        List<String[]> maven = new ArrayList<>();
        maven.add(new String[] {"com.google.guava", "guava", "33.8.0-jre"});
        w.codeUnit(
                10,
                "/srv/app.jar!/BOOT-INF/lib/guava.jar",
                "jar:nested:/srv/app.jar/!BOOT-INF/lib/guava.jar!/",
                "classload",
                true,
                maven,
                Map.of("implementation_version", "33.8.0-jre", "bundle_symbolic_name", "com.google.guava"));
        w.codeUnit(11, "/srv/lib/unused.jar", null, "scan", false, List.of(), Map.of());
        w.functionInventory(
                12,
                "/srv/lib/unused.jar",
                "a.B",
                false,
                new String[] {"<init>", "run"},
                new String[] {"()V", "(I)V"},
                null);
        w.functionInventory(
                13, "/srv/app.jar", "a.C", true, new String[] {"m"}, new String[] {"()V"}, new boolean[] {true});
        w.stack(
                1,
                List.of(
                        new JavaFrame("java.io.FileInputStream.<init>", "FileInputStream.java", 159, null),
                        new JavaFrame("a.C.m", null, -1, "/srv/app.jar")),
                true);
        SpanRecord span = new SpanRecord("java:java.lang.Runtime.exec", "process", 4243, 20, 30);
        span.caller = "/srv/app.jar";
        span.stack = 1;
        span.args.put("program", "sh");
        span.args.put("command", "sh -c ls");
        span.returned = 0;
        span.error = "java.io.IOException";
        span.flag("shell");
        w.call(span);
        w.notice("warn", "advice_fault", "caught", null, 3, 40);
        w.processEnd("signal", 143, 15, 50);
        w.close();
        List<String> lines = Files.readAllLines(w.file());
        assertEquals(8, lines.size());
        for (String line : lines) {
            JsonNode r = new ObjectMapper().readTree(line);
            assertEquals(List.of(), EventSchema.problems(r), line);
        }
        JsonNode call = new ObjectMapper().readTree(lines.get(5));
        assertEquals("sh -c ls", call.get("args").get("command").asText());
        assertEquals(0, call.get("result").get("ret").asInt());
        assertEquals("[\"shell\"]", call.get("flags").toString());
        assertEquals(
                false,
                new ObjectMapper().readTree(lines.get(4)).get("frames").get(1).has("line"));
        assertEquals(
                "com.google.guava",
                new ObjectMapper()
                        .readTree(lines.get(0))
                        .get("manifest")
                        .get("bundle_symbolic_name")
                        .asText());
        assertEquals(false, new ObjectMapper().readTree(lines.get(1)).has("manifest"));
    }
}
