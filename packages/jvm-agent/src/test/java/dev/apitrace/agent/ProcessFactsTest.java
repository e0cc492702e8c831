package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProcessFactsTest {
    @Test
    void describesThisJvm() throws Exception {
        ProcessFacts facts = ProcessFacts.current();
        ProcessHandle self = ProcessHandle.current();
        assertEquals(self.pid(), facts.pid);
        assertEquals(self.parent().orElseThrow().pid(), facts.ppid);
        assertEquals(Files.readSymbolicLink(Paths.get("/proc/self/exe")).toString(), facts.exe);
        assertTrue(facts.exe.endsWith("/java"), facts.exe);
        assertEquals(System.getProperty("user.dir"), facts.cwd);
        assertEquals(System.getProperty("java.runtime.version"), facts.runtimeVersion);
        assertEquals(System.getProperty("java.vendor"), facts.runtimeVendor);
        assertEquals(ProcessFacts.parseCmdline(Files.readAllBytes(Paths.get("/proc/self/cmdline"))), facts.argv);
        assertTrue(facts.argv.size() > 1, facts.argv::toString);
    }

    @Test
    void tidIsTheTaskOfThisThread() throws Exception {
        long tid = ProcessFacts.currentThreadTid();
        assertTrue(tid >= 1);
        assertTrue(Files.isDirectory(Paths.get("/proc/self/task/" + tid)), "no task " + tid);
        assertEquals(tid, ProcessFacts.readTid());
        assertEquals(tid, ProcessFacts.currentThreadTid());

        AtomicLong other = new AtomicLong();
        Thread thread = new Thread(() -> other.set(ProcessFacts.currentThreadTid()));
        thread.start();
        thread.join();
        assertTrue(other.get() >= 1);
        assertNotEquals(tid, other.get());
    }

    @Test
    void statFieldsAreFoundAfterTheLastParenthesis() {
        assertEquals(
                List.of(4242L, 17L),
                List.of(
                        ProcessFacts.parseStat("4242 (odd) name) (x) S 17 4242 4242 0 -1 4194560 1 0")[0],
                        ProcessFacts.parseStat("4242 (odd) name) (x) S 17 4242 4242 0 -1 4194560 1 0")[1]));
        long[] ids = ProcessFacts.parseStat("1 (init) S 0 1 1 0 -1");
        assertEquals(1, ids[0]);
        assertEquals(0, ids[1]);
    }

    @Test
    void cmdlineIsNulTerminatedArguments() {
        assertEquals(
                List.of("java", "", "naïve", "-jar"),
                ProcessFacts.parseCmdline("java\0\0naïve\0-jar\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                List.of("rewritten title"),
                ProcessFacts.parseCmdline("rewritten title".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), ProcessFacts.parseCmdline(new byte[0]));
    }
}
