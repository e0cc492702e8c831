package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PID = 4242;

    @TempDir
    Path dir;

    private static ProcessFacts facts(List<String> argv) {
        return new ProcessFacts(PID, 4241, 4243, "/usr/bin/java", argv, "/srv/app", "17.0.15+6", "Debian");
    }

    /** Every line of the file, parsed, after checking each is a whole line of valid JSON. */
    private static List<JsonNode> records(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length == 0 || bytes[bytes.length - 1] == '\n', "last line not terminated");
        List<JsonNode> out = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static void assertFitsSchema(JsonNode record) {
        assertEquals(List.of(), EventSchema.problems(record), record::toString);
    }

    @Test
    void createsPidJvmSeqFileWithMode0600() throws Exception {
        try (EventWriter writer = EventWriter.create(dir, PID)) {
            assertEquals(dir.resolve("4242-jvm-0.jsonl"), writer.file());
            assertEquals(0, writer.seq());
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(writer.file(), LinkOption.NOFOLLOW_LINKS)));
        }
    }

    @Test
    void takesTheLowestFreeSeq() throws Exception {
        Files.createFile(dir.resolve("4242-jvm-0.jsonl"));
        Files.createDirectory(dir.resolve("4242-jvm-1.jsonl"));
        Files.createFile(dir.resolve("4242-jvm-3.jsonl"));
        try (EventWriter writer = EventWriter.create(dir, PID)) {
            assertEquals(2, writer.seq());
            assertEquals("4242-jvm-2.jsonl", writer.file().getFileName().toString());
        }
        assertEquals(0, Files.size(dir.resolve("4242-jvm-0.jsonl")), "an existing file was written to");
    }

    @Test
    void neverWritesThroughASymlinkAtItsName() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Files.createSymbolicLink(dir.resolve("4242-jvm-0.jsonl"), victim);
        Path dangling = dir.resolve("created-through-link");
        Files.createSymbolicLink(dir.resolve("4242-jvm-1.jsonl"), dangling);

        try (EventWriter writer = EventWriter.create(dir, PID)) {
            writer.processStart(facts(List.of("java")), "0.1.0", 1, 0);
            assertEquals(2, writer.seq());
            assertFalse(Files.isSymbolicLink(writer.file()));
        }
        assertEquals("precious\n", Files.readString(victim));
        assertFalse(Files.exists(dangling, LinkOption.NOFOLLOW_LINKS), "a dangling link was followed");
        assertEquals(1, records(dir.resolve("4242-jvm-2.jsonl")).size());
    }

    @Test
    void givesUpAfterCappedTriesWithoutWritingAnything() throws Exception {
        for (int seq = 0; seq < EventWriter.MAX_SEQ_TRIES; seq++) {
            Files.createFile(dir.resolve(EventWriter.fileName(PID, seq)));
        }
        IOException e = assertThrows(IOException.class, () -> EventWriter.create(dir, PID));
        assertTrue(e.getMessage().contains("no free file name"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.allMatch(f -> f.toFile().length() == 0));
        }
    }

    @Test
    void refusesADirectoryUnderARegularFile() throws Exception {
        Path notADir = Files.createFile(dir.resolve("afile")).resolve("x");
        assertThrows(IOException.class, () -> EventWriter.create(notADir, PID));
        assertThrows(IOException.class, () -> EventWriter.create(dir.resolve("missing"), PID));
        assertEquals(0, Files.size(dir.resolve("afile")));
    }

    @Test
    void processStartThenProcessEndFollowTheContract() throws Exception {
        Path file;
        try (EventWriter writer = EventWriter.create(dir, PID)) {
            file = writer.file();
            writer.processStart(
                    facts(List.of("java", "-Dpwd=x", "--token", "t", "App")), "9.9.9", 81234567890123L, 1795890024123L);
            // Written at once: a process killed now still leaves its process_start.
            assertEquals(1, records(file).size());
            writer.processEnd("exit", 81234999000000L);
            assertEquals(2, writer.records());
        }
        List<JsonNode> records = records(file);
        assertEquals(2, records.size());

        JsonNode start = records.get(0);
        assertFitsSchema(start);
        assertEquals(
                "{\"kind\":\"process_start\",\"v\":1,\"source\":\"jvm\",\"pid\":4242,\"ppid\":4241,"
                        + "\"tid\":4243,\"seq\":0,\"origin\":\"start\",\"t\":81234567890123,\"wall\":\"2026-11-28T18:20:24.123Z\","
                        + "\"exe\":\"/usr/bin/java\",\"argv\":[\"java\",\"-Dpwd=***\",\"--token\",\"***\",\"App\"],"
                        + "\"cwd\":\"/srv/app\",\"runtime\":{\"name\":\"java\",\"version\":\"17.0.15+6\",\"vendor\":\"Debian\"},"
                        + "\"emitter\":{\"name\":\"apitrace-jvm-agent\",\"version\":\"9.9.9\"}}",
                Files.readAllLines(file).get(0));

        JsonNode end = records.get(1);
        assertFitsSchema(end);
        assertEquals(
                "{\"kind\":\"process_end\",\"t\":81234999000000,\"reason\":\"exit\",\"records\":2,\"dropped\":0}",
                Files.readAllLines(file).get(1));
    }

    @Test
    void leavesOutAnUnknownTid() throws Exception {
        try (EventWriter writer = EventWriter.create(dir, PID)) {
            writer.processStart(
                    new ProcessFacts(PID, 1, ProcessFacts.NO_TID, "", List.of(), "/", "17", "x"), "0.1.0", 5, 0);
            JsonNode start = records(writer.file()).get(0);
            assertFalse(start.has("tid"));
            assertFitsSchema(start);
        }
    }

    @Test
    void bufferedRecordsReachTheFileOnFlushAndClose() throws Exception {
        EventWriter writer = EventWriter.create(dir, PID);
        writer.notice("info", "test_buffered", "one", null, 7);
        assertEquals(0, Files.size(writer.file()), "a record was written before any flush");
        writer.flush();
        assertEquals(1, records(writer.file()).size());
        writer.notice("warn", "test_buffered", "two", "/some/path", 8);
        writer.close();
        List<JsonNode> records = records(writer.file());
        assertEquals(2, records.size());
        records.forEach(EventWriterTest::assertFitsSchema);
        assertEquals("/some/path", records.get(1).get("subject").textValue());
        assertNull(writer.failure());
    }

    @Test
    void flushingFromAnInterruptedThreadKeepsTheFileOpenAndTheInterrupt() throws Exception {
        try (EventWriter writer = EventWriter.create(dir, PID)) {
            writer.notice("info", "x", "one", null, 1);
            Thread.currentThread().interrupt();
            try {
                writer.flush();
                assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt was swallowed");
            } finally {
                Thread.interrupted();
            }
            writer.notice("info", "x", "two", null, 2);
            writer.flush();
            assertNull(writer.failure());
            assertEquals(2, records(writer.file()).size());
        }
    }

    @Test
    void recordsAfterCloseAreCountedAsDropped() throws Exception {
        EventWriter writer = EventWriter.create(dir, PID);
        writer.notice("info", "x", "kept", null, 1);
        writer.close();
        writer.notice("info", "x", "late", null, 2);
        writer.processEnd("exit", 3);
        writer.close(); // twice is harmless
        assertEquals(1, writer.records());
        assertEquals(2, writer.dropped());
        assertEquals(1, records(writer.file()).size());
    }

    @Test
    void manyThreadsWriteWholeLinesInOrderWhileTheFlusherRuns() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        EventWriter writer = EventWriter.create(dir, PID);
        writer.processStart(facts(List.of("java")), "0.1.0", 1, 0);
        writer.startFlusher(1);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            String worker = "w" + w;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    // Long, escaped text so that records straddle buffer swaps.
                    writer.notice("info", "test_thread", worker + "\t" + "é".repeat(i % 50), String.valueOf(i), i);
                }
            });
            workers.add(thread);
            thread.start();
        }
        go.countDown();
        for (Thread thread : workers) {
            thread.join();
        }
        writer.processEnd("exit", 2);
        writer.close();

        List<JsonNode> records = records(writer.file());
        assertEquals(threads * perThread + 2, records.size());
        assertEquals("process_start", records.get(0).get("kind").textValue());
        JsonNode end = records.get(records.size() - 1);
        assertEquals("process_end", end.get("kind").textValue());
        assertEquals(records.size(), end.get("records").asLong());
        assertEquals(0, end.get("dropped").asLong());

        Map<String, Integer> next = new HashMap<>();
        for (JsonNode record : records.subList(1, records.size() - 1)) {
            String worker = record.get("message").textValue().split("\t")[0];
            int i = Integer.parseInt(record.get("subject").textValue());
            assertEquals(next.getOrDefault(worker, 0), i, "out of order for " + worker);
            next.put(worker, i + 1);
        }
        assertEquals(threads, next.size());
        assertNotNull(end);
    }
}
