package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** startRecording is premain minus the once-per-JVM guard, so it can run here many times. */
class ApitraceAgentTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private long filesUnder(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void unsetOrEmptyDirIsInertAndSilent() {
        assertNull(ApitraceAgent.startRecording(AgentConfig.fromEnvironment(Map.of()), err));
        assertNull(ApitraceAgent.startRecording(AgentConfig.fromEnvironment(Map.of("APITRACE_DIR", "")), err));
        assertEquals("", stderr());
    }

    @Test
    void directoryUnderARegularFileRecordsNothingAndSaysSoOnce() throws Exception {
        Path afile = Files.createFile(tmp.resolve("afile"));
        String dir = afile.resolve("x").toString();

        EventWriter writer = ApitraceAgent.startRecording(new AgentConfig(dir), err);

        assertNull(writer);
        assertEquals(
                "apitrace: jvm: cannot write events to " + dir + ": Not a directory (recording off for this process)"
                        + System.lineSeparator(),
                stderr());
        assertEquals(0, Files.size(afile));
        assertEquals(1, filesUnder(tmp));
    }

    @Test
    void missingDirectoryIsReportedInTheSameWords() {
        String dir = tmp.resolve("missing").toString();
        assertNull(ApitraceAgent.startRecording(new AgentConfig(dir), err));
        assertEquals(
                "apitrace: jvm: cannot write events to " + dir
                        + ": No such file or directory (recording off for this process)" + System.lineSeparator(),
                stderr());
    }

    @Test
    void invalidPathIsOneLineToo() {
        assertNull(ApitraceAgent.startRecording(new AgentConfig("bad\0dir\nname"), err));
        String out = stderr();
        assertEquals(1, out.split(System.lineSeparator(), -1).length - 1, out);
    }

    @Test
    void whyPrefersTheOperatingSystemsWords() {
        assertEquals("No such file or directory", ApitraceAgent.why(new NoSuchFileException("/x")));
        assertEquals("Permission denied", ApitraceAgent.why(new AccessDeniedException("/x")));
        assertEquals("IllegalStateException", ApitraceAgent.why(new IllegalStateException()));
    }

    @Test
    void versionFallsBackWhenNotInAJar() {
        // target/classes has no manifest; the shaded jar's Implementation-Version is checked end to end.
        assertEquals(ApitraceAgent.DEFAULT_VERSION, ApitraceAgent.emitterVersion());
    }
}
