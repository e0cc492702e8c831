package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apitrace.agent.testapp.Early;
import dev.apitrace.agent.testapp.EarlyAgent;
import dev.apitrace.agent.testapp.ExitingApp;
import dev.apitrace.agent.testapp.FaultInHookApp;
import dev.apitrace.agent.testapp.LoadsHuge;
import dev.apitrace.agent.testapp.ModernJava;
import dev.apitrace.agent.testapp.ParallelLoading;
import dev.apitrace.agent.testapp.TrustAllApp;
import dev.apitrace.agent.testapp.UncaughtApp;
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
 * Real child JVMs with the real, shaded {@code -javaagent:target/apitrace.jar} (run by
 * Failsafe after {@code package}). Each runs a test program bare and under the agent and
 * compares what the program did, then checks what was recorded.
 */
class AgentEndToEndIT {
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
        agentJar = TestPaths.moduleDir().resolve("target/apitrace.jar");
        assertTrue(Files.isRegularFile(agentJar), "run after package: " + agentJar);
        runDir = Files.createDirectory(tmp.resolve("run"));
        workDir = Files.createDirectory(tmp.resolve("work"));
        java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // The test programs only: the agent's own classes come from the agent jar alone.
        classPath = TestPaths.codeSource(ExitingApp.class).toString();
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
        return command(APP, jvmOptions, appArgs);
    }

    private List<String> command(String mainClass, List<String> jvmOptions, String... appArgs) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(List.of(appArgs));
        return command;
    }

    private Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = builder.environment();
        // Only what each test sets: the outer run (apitrace itself, a developer's shell) stays out.
        Stream.of("APITRACE_DIR", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
                .forEach(environment::remove);
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
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));

        List<JsonNode> records = records(file);
        for (JsonNode record : records) {
            assertEquals(List.of(), EventSchema.problems(record), record::toString);
        }
        assertEquals(1, ofKind(records, "process_start").size());
        assertEquals(1, ofKind(records, "process_end").size());

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
        assertEquals(
                System.getProperty("java.runtime.version"),
                start.get("runtime").get("version").textValue());
        assertEquals("apitrace-jvm-agent", start.get("emitter").get("name").textValue());
        assertFalse(Files.readString(file).contains("hunter2"));

        JsonNode end = records.get(records.size() - 1);
        assertEquals("process_end", end.get("kind").textValue());
        assertEquals("exit", end.get("reason").textValue());
        assertEquals(7, end.get("exit_code").asInt());
        assertEquals(records.size(), end.get("records").asInt());
        assertEquals(0, end.get("dropped").asInt());
        assertTrue(end.get("t").asLong() >= start.get("t").asLong());
    }

    @Test
    void javaToolOptionsPlusCommandLineStillMakesOneFile() throws Exception {
        String agent = "-javaagent:" + agentJar;
        Run traced = run(
                command(List.of(agent), "0"), Map.of("APITRACE_DIR", runDir.toString(), "JAVA_TOOL_OPTIONS", agent));
        assertEquals(0, traced.exit);
        assertTrue(traced.err.contains("Picked up JAVA_TOOL_OPTIONS"), traced.err); // the JVM's line, not ours
        assertFalse(traced.err.replace(agent, "").contains("apitrace"), traced.err);
        assertEquals(List.of(runDir.resolve(traced.pid + "-jvm-0.jsonl")), eventFiles());
        List<JsonNode> records = records(eventFiles().get(0));
        assertEquals(1, ofKind(records, "process_start").size());
        assertEquals(1, ofKind(records, "process_end").size());
        // Instrumented once: one inventory record for the program's class, not two.
        assertEquals(1, inventory(records, APP).size(), records::toString);
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
        assertEquals(
                "apitrace: jvm: cannot write events to " + dir + ": Not a directory (recording off for this process)\n"
                        + bare.err,
                failed.err);
        assertEquals(0, Files.size(afile));
    }

    private static List<JsonNode> ofKind(List<JsonNode> records, String kind) {
        return records.stream()
                .filter(r -> kind.equals(r.path("kind").asText()))
                .collect(Collectors.toList());
    }

    private static List<JsonNode> inventory(List<JsonNode> records, String className) {
        return ofKind(records, "function_inventory").stream()
                .filter(r -> className.equals(r.path("scope").asText()))
                .collect(Collectors.toList());
    }

    /** name+sig -> ran, ORed over every inventory record of the class (as readers merge them). */
    private static Map<String, Boolean> ranByMethod(List<JsonNode> records, String className) {
        Map<String, Boolean> ran = new java.util.TreeMap<>();
        for (JsonNode r : inventory(records, className)) {
            for (JsonNode f : r.get("functions")) {
                ran.merge(
                        f.get("name").asText() + f.get("sig").asText(),
                        f.get("ran").asBoolean(),
                        Boolean::logicalOr);
            }
        }
        return ran;
    }

    /** Runs the program bare and traced, asserts identical behaviour, returns the traced records. */
    private List<JsonNode> sameBehaviour(String mainClass, List<String> extraOptions, String... args) throws Exception {
        Run bare = run(command(mainClass, extraOptions, args), Map.of());
        List<String> options = new ArrayList<>(extraOptions);
        options.add("-javaagent:" + agentJar);
        Run traced = run(command(mainClass, options, args), Map.of("APITRACE_DIR", runDir.toString()));
        assertEquals(bare.out, traced.out, "stdout");
        assertEquals(bare.err, traced.err, "stderr");
        assertEquals(bare.exit, traced.exit, "exit status");
        List<JsonNode> records = records(runDir.resolve(traced.pid + "-jvm-0.jsonl"));
        for (JsonNode record : records) {
            assertEquals(List.of(), EventSchema.problems(record), record::toString);
        }
        return records;
    }

    @Test
    void recordsRecordsSealedTypesNestmatesInterfacesEnumsAndLeavesLambdasAndHiddenClassesAlone() throws Exception {
        List<JsonNode> records = sameBehaviour(ModernJava.class.getName(), List.of());
        String pkg = "dev.apitrace.agent.testapp.ModernJava$";
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Point").get("sum()I"));
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Point").get("<init>(II)V"));
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Shape").get("describe()Ljava/lang/String;"));
        assertEquals(
                Boolean.TRUE,
                ranByMethod(records, pkg + "Shape").get("unit()L" + (pkg + "Shape").replace('.', '/') + ";"));
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Circle").get("area()D"));
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Op$2").get("apply(II)I"));
        assertEquals(Boolean.TRUE, ranByMethod(records, pkg + "Outer$Inner").get("reveal()I"));
        assertEquals(
                Boolean.TRUE, ranByMethod(records, ModernJava.class.getName()).get("lambda$main$0(I)I"));
        for (JsonNode r : ofKind(records, "function_inventory")) {
            String scope = r.get("scope").asText();
            assertFalse(scope.contains("$$Lambda") || scope.contains("/0x"), "hidden class instrumented: " + scope);
        }
        // HiddenTemplate is inventoried as the class on disk, never loaded by name, not as the hidden copy.
        assertTrue(inventory(records, "dev.apitrace.agent.testapp.HiddenTemplate").stream()
                .noneMatch(r -> r.get("loaded").asBoolean()));
    }

    @Test
    void aMethodPushedPast64KbLeavesItsClassUntouchedAndSaysSo() throws Exception {
        Path gen = Files.createDirectories(tmp.resolve("huge/gen"));
        Files.write(gen.resolve("Huge.class"), GeneratedClasses.huge(21843));
        List<JsonNode> records = sameBehaviour(
                LoadsHuge.class.getName(), List.of(), gen.getParent().toString());
        assertTrue(
                ofKind(records, "notice").stream()
                        .anyMatch(n -> "class_too_large".equals(n.get("code").asText())
                                && "gen.Huge".equals(n.get("subject").asText())),
                records::toString);
        assertTrue(inventory(records, "gen.Huge").stream()
                .noneMatch(r -> r.get("loaded").asBoolean()));
        assertEquals(
                Boolean.TRUE, ranByMethod(records, LoadsHuge.class.getName()).get("main([Ljava/lang/String;)V"));
    }

    @Test
    void aFaultInsideAHookIsCountedAndNeverReachesTheApplication() throws Exception {
        List<JsonNode> records = sameBehaviour(FaultInHookApp.class.getName(), List.of());
        JsonNode notice = ofKind(records, "notice").stream()
                .filter(n -> "advice_fault".equals(n.get("code").asText()))
                .findFirst()
                .orElse(null);
        assertNotNull(notice, records::toString);
        assertTrue(notice.get("count").asInt() >= 1);
    }

    @Test
    void classesLoadedBeforeThePremainAreRetransformed() throws Exception {
        Path earlyAgent = tmp.resolve("early-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", EarlyAgent.class.getName());
        new JarOutputStream(Files.newOutputStream(earlyAgent), manifest).close();
        // The first agent loads and runs Early.before(); apitrace comes second and must retransform Early.
        List<JsonNode> records = sameBehaviour(Early.class.getName(), List.of("-javaagent:" + earlyAgent));
        Map<String, Boolean> ran = ranByMethod(records, Early.class.getName());
        assertEquals(
                Boolean.FALSE, ran.get("before()Ljava/lang/String;"), ran::toString); // ran before the probes existed
        assertEquals(Boolean.TRUE, ran.get("after()Ljava/lang/String;"), ran::toString);
    }

    @Test
    void manyThreadsLoadingClassesAtOnceNeitherDeadlockNorFail() throws Exception {
        Path gen = tmp.resolve("chain");
        GeneratedClasses.chain(gen, 400);
        List<JsonNode> records = sameBehaviour(ParallelLoading.class.getName(), List.of(), gen.toString());
        long instrumented = ofKind(records, "function_inventory").stream()
                .filter(r -> r.get("scope").asText().startsWith("gen.C")
                        && r.get("loaded").asBoolean())
                .map(r -> r.get("scope").asText())
                .distinct()
                .count();
        assertTrue(instrumented >= 100, "instrumented " + instrumented);
    }

    @Test
    void jacocoAsASecondAgentAtTheSameTime() throws Exception {
        String jacoco = System.getProperty("jacoco.agent.jar");
        assertNotNull(jacoco, "Failsafe passes the JaCoCo runtime jar as jacoco.agent.jar");
        Path exec = tmp.resolve("jacoco.exec");
        List<JsonNode> records = sameBehaviour(
                ModernJava.class.getName(),
                List.of("-javaagent:" + jacoco + "=destfile=" + exec + ",includes=dev.apitrace.agent.testapp.*"));
        assertTrue(Files.size(exec) > 0, "JaCoCo wrote its coverage");
        assertEquals(
                Boolean.TRUE,
                ranByMethod(records, "dev.apitrace.agent.testapp.ModernJava$Point")
                        .get("sum()I"));
    }

    @Test
    void exitCodeOfAnUncaughtExceptionInMain() throws Exception {
        List<JsonNode> records = sameBehaviour(UncaughtApp.class.getName(), List.of());
        JsonNode end = ofKind(records, "process_end").get(0);
        assertEquals(1, end.get("exit_code").asInt(), end::toString);
        assertEquals("exit", end.get("reason").asText());
    }

    @Test
    void sigtermIsReportedAsTheSignal() throws Exception {
        List<String> command = command(UncaughtApp.class.getName(), List.of("-javaagent:" + agentJar), "sleep");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().put("APITRACE_DIR", runDir.toString());
        builder.redirectErrorStream(true);
        Process process = builder.start();
        java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("sleeping", out.readLine());
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, process.exitValue());
        JsonNode end = ofKind(records(runDir.resolve(process.pid() + "-jvm-0.jsonl")), "process_end")
                .get(0);
        assertEquals("signal", end.get("reason").asText(), end::toString);
        assertEquals(15, end.get("signal").asInt());
        assertEquals(143, end.get("exit_code").asInt());
    }

    @Test
    void aTrustAllTrustManagerIsFlaggedAndTheJdksIsNot() throws Exception {
        List<JsonNode> records = sameBehaviour(TrustAllApp.class.getName(), List.of());
        List<JsonNode> inits = ofKind(records, "call").stream()
                .filter(c ->
                        "java:javax.net.ssl.SSLContext.init".equals(c.get("api").asText()))
                .collect(Collectors.toList());
        assertEquals(2, inits.size(), inits::toString);
        assertFalse(inits.get(0).has("flags"), inits.get(0)::toString);
        assertEquals("[\"verify_none\"]", inits.get(1).get("flags").toString());
        assertEquals("tls", inits.get(1).get("category").asText());
    }
}
