package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apitrace.agent.testapp.ExitingApp;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real child JVMs with a real {@code -javaagent:}. The shaded apitrace.jar only exists after
 * {@code package}, which runs after the tests, so the agent jar here is a manifest naming
 * the same Premain-Class, whose classes come from target/classes on the class path. That
 * runs premain, the once-per-JVM guard and the shutdown hook exactly as the JVM does.
 */
class AgentEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = ExitingApp.class.getName();

    @TempDir
    Path tmp;

    private Path agentJar;
    private Path runDir;
    private Path workDir;
    private String java;
    private String classPath;

    @BeforeEach
    void setUp() throws IOException {
        agentJar = tmp.resolve("agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", ApitraceAgent.class.getName());
        // The manifest is all this jar holds.
        new JarOutputStream(Files.newOutputStream(agentJar), manifest).close();
        runDir = Files.createDirectory(tmp.resolve("run"));
        workDir = Files.createDirectory(tmp.resolve("work"));
        java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        classPath = TestPaths.codeSource(ApitraceAgent.class) + File.pathSeparator + TestPaths.codeSource(ExitingApp.class);
    }

    private static final class Run {
        final long pid;
        final int exit;
        final String out;
        final String err;

        Run(long pid, int exit, String out, String err) {
            this.pid = pid;
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }

    private List<String> command(List<String> jvmOptions, String... appArgs) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(APP);
        command.addAll(List.of(appArgs));
        return command;
    }

    private Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = builder.environment();
        // Only what each test sets: the outer run (apitrace itself, a developer's shell) stays out.
        Stream.of("APITRACE_DIR", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS").forEach(environment::remove);
        environment.putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + command);
        }
        return new Run(process.pid(), process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<Path> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(runDir)) {
            return files.sorted().collect(Collectors.toList());
        }
    }

    private static List<JsonNode> records(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void recordsStartAndEndOnceAndChangesNothingForTheApp() throws Exception {
        String agent = "-javaagent:" + agentJar;
        Run bare = run(command(List.of(), "7", "--password", "hunter2"), Map.of());
        long before = System.currentTimeMillis();
        // Named twice, as when JAVA_TOOL_OPTIONS and the command line both load it.
        List<String> command = command(List.of(agent, agent), "7", "--password", "hunter2");
        Run traced = run(command, Map.of("APITRACE_DIR", runDir.toString()));
        long after = System.currentTimeMillis();

        assertEquals(7, bare.exit);
        assertEquals("out: 7 --password hunter2\n", bare.out);
        assertEquals(bare.exit, traced.exit);
        assertEquals(bare.out, traced.out);
        assertEquals(bare.err, traced.err);

        Path file = runDir.resolve(traced.pid + "-jvm-0.jsonl");
        assertEquals(List.of(file), eventFiles());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));

        List<JsonNode> records = records(file);
        assertEquals(2, records.size(), records::toString);
        for (JsonNode record : records) {
            assertEquals(List.of(), EventSchema.problems(record), record::toString);
        }

        JsonNode start = records.get(0);
        assertEquals("process_start", start.get("kind").textValue());
        assertEquals(traced.pid, start.get("pid").asLong());
        assertEquals(ProcessHandle.current().pid(), start.get("ppid").asLong());
        assertTrue(start.get("tid").asLong() >= traced.pid, start::toString);
        assertEquals(0, start.get("seq").asInt());
        assertEquals("start", start.get("origin").textValue());
        long wall = Instant.parse(start.get("wall").textValue()).toEpochMilli();
        assertTrue(wall >= before - 1 && wall <= after + 1, start::toString);
        assertEquals(Paths.get(java).toRealPath().toString(), start.get("exe").textValue());
        List<String> argv = new ArrayList<>(command);
        argv.set(argv.size() - 1, "***");
        assertEquals(argv, JSON.convertValue(start.get("argv"), List.class));
        assertEquals(workDir.toRealPath().toString(), start.get("cwd").textValue());
        assertEquals("java", start.get("runtime").get("name").textValue());
        assertEquals(System.getProperty("java.runtime.version"), start.get("runtime").get("version").textValue());
        assertEquals("apitrace-jvm-agent", start.get("emitter").get("name").textValue());
        assertFalse(Files.readString(file).contains("hunter2"));

        JsonNode end = records.get(1);
        assertEquals("process_end", end.get("kind").textValue());
        assertEquals("exit", end.get("reason").textValue());
        assertEquals(2, end.get("records").asInt());
        assertEquals(0, end.get("dropped").asInt());
        assertTrue(end.get("t").asLong() >= start.get("t").asLong());
    }

    @Test
    void javaToolOptionsPlusCommandLineStillMakesOneFile() throws Exception {
        String agent = "-javaagent:" + agentJar;
        Run traced = run(command(List.of(agent), "0"),
            Map.of("APITRACE_DIR", runDir.toString(), "JAVA_TOOL_OPTIONS", agent));
        assertEquals(0, traced.exit);
        assertTrue(traced.err.contains("Picked up JAVA_TOOL_OPTIONS"), traced.err); // the JVM's line, not ours
        assertFalse(traced.err.contains("apitrace"), traced.err.replace(agent, ""));
        assertEquals(List.of(runDir.resolve(traced.pid + "-jvm-0.jsonl")), eventFiles());
        assertEquals(2, records(eventFiles().get(0)).size());
    }

    @Test
    void withoutApitraceDirTheAgentIsInertAndSilent() throws Exception {
        Run bare = run(command(List.of(), "3"), Map.of());
        Run inert = run(command(List.of("-javaagent:" + agentJar), "3"), Map.of("APITRACE_DIR", ""));
        assertEquals(bare.exit, inert.exit);
        assertEquals(bare.out, inert.out);
        assertEquals(bare.err, inert.err);
        assertEquals(List.of(), eventFiles());
    }

    @Test
    void unwritableDirCostsOneStderrLineAndNothingElse() throws Exception {
        Path afile = Files.createFile(tmp.resolve("afile"));
        String dir = afile.resolve("x").toString();
        Run bare = run(command(List.of(), "5", "a"), Map.of());
        Run failed = run(command(List.of("-javaagent:" + agentJar), "5", "a"), Map.of("APITRACE_DIR", dir));
        assertEquals(bare.exit, failed.exit);
        assertEquals(bare.out, failed.out);
        assertEquals("apitrace: jvm: cannot write events to " + dir
            + ": Not a directory (recording off for this process)\n" + bare.err, failed.err);
        assertEquals(0, Files.size(afile));
    }
}
