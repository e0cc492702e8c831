package dev.apitrace.agent;

import dev.apitrace.agent.rt.Dispatch;
import java.lang.instrument.Instrumentation;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything past process_start, once {@link BootstrapRuntime} is in place: the bootstrap runtime, method probes, the API hooks,
 * the periodic collection of counters into records, the class path scan, and what is
 * written at exit. Set up once from premain; every failure is reported as a notice and
 * leaves the application alone.
 */
final class Recording implements ApitraceAgent.EndOfProcess {
    /** The class path is scanned this long after start-up, when the application has loaded what it needs to start. */
    static final long SCAN_DELAY_MILLIS = 2000;

    private final EventWriter writer;
    private final CodeUnits units = new CodeUnits();
    private final ClassInventory inventory = new ClassInventory();
    private final JdbcTypes jdbc = new JdbcTypes();
    private final WebApiTable web = new WebApiTable();
    private final ApiInstaller installer = new ApiInstaller();
    private ProbeTransformer probes;

    private long reportedFaults;
    private long reportedProbeFailures;
    private long reportedInstallFailures;
    private long reportedOverCapacity;

    private List<ClasspathScan.Source> scanned;

    private Recording(EventWriter writer) {
        this.writer = writer;
    }

    /** Starts method probes and API hooks; returns the object the exit hook finishes with. */
    static Recording start(Instrumentation inst, EventWriter writer) throws Exception {
        Recording r = new Recording(writer);
        r.warmUp();
        r.probes = new ProbeTransformer(r.inventory, r.units, r.jdbc, inst, BootstrapRuntime.runtimeModule());
        inst.addTransformer(r.probes, true);
        r.retransformLoaded(inst);
        JavaStacks stacks = new JavaStacks(r.units);
        ApiRecorder recorder = new ApiRecorder(writer, stacks, r.web);
        stacks.capture();
        Dispatch.install(recorder, Thread.currentThread());
        r.installer.install(inst, r.jdbc);
        writer.beforeEachFlush(new Collect(r));
        Thread scan = new Thread(new ScanLater(r), "apitrace-scan");
        scan.setDaemon(true);
        scan.setContextClassLoader(null);
        scan.start();
        return r;
    }

    /**
     * Loads and runs once what the transformer and the recorder use, before they are
     * installed: the first class they see must not make them load their own classes
     * in the middle of the application's class loading.
     */
    private void warmUp() throws Exception {
        ProbeTransformer scratch =
                new ProbeTransformer(new ClassInventory(), new CodeUnits(), new JdbcTypes(), null, null);
        try (java.io.InputStream in = Recording.class.getResourceAsStream("Recording.class")) {
            if (in != null) {
                ProtectionDomain elsewhere = new ProtectionDomain(
                        new CodeSource(
                                new java.net.URL("file:/apitrace-warm-up/"), (java.security.cert.Certificate[]) null),
                        null);
                byte[] bytes = in.readAllBytes();
                scratch.transform(
                        null,
                        Recording.class.getClassLoader(),
                        "dev/apitrace/warmup/Recording",
                        null,
                        elsewhere,
                        bytes);
                // And ASM, for the class files the byte-level pass leaves to it.
                scratch.instrumentWithAsm(
                        Recording.class.getClassLoader(), "dev/apitrace/warmup/Recording2", "/apitrace-warm-up", bytes);
            }
        }
        dev.apitrace.agent.rt.Probes.ARRAYS[0] = null;
        OwnCode.isOwn(Recording.class);
        SqlText.of("select 1 from t where a = 'x'", SqlDialect.ofDriver(this));
        WebApiTable.routeTemplate("/a/1");
        ArgvRedactor.redactText("x");
        ProcessFacts.currentThreadTid();
        new CallSummarisers.Call(null, new SpanRecord("java:warm.up", "other", 1, 0, 0), null, null, null, null, null)
                .span.flag("x");
        ApiRecorder.isWeakCipher("AES");
        ApiRecorder.isWeakDigest("MD5");
        ApiRecorder.isShell(new String[] {"sh", "-c"});
    }

    private void retransformLoaded(Instrumentation inst) {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader l = c.getClassLoader();
            if (l == null
                    || l == platform
                    || c.isArray()
                    || c.isPrimitive()
                    || c.isHidden()
                    || OwnCode.isOwn(c)
                    || !inst.isModifiableClass(c)) {
                continue;
            }
            loaded.add(c);
        }
        if (loaded.isEmpty()) {
            return;
        }
        try {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        } catch (Throwable all) {
            for (Class<?> c : loaded) {
                try {
                    inst.retransformClasses(c);
                } catch (Throwable one) {
                    writer.notice(
                            "warn",
                            "retransform_failed",
                            "a class loaded before the agent could not be instrumented: " + one,
                            c.getName(),
                            System.nanoTime());
                }
            }
        }
    }

    /** Turns what was counted since the last time into records. Never throws. */
    synchronized void collect() {
        try {
            long t = System.nanoTime();
            units.writeNew(writer);
            inventory.writeChanged(writer, t);
            web.writeDeltas(writer);
            writeNotices(t);
        } catch (Throwable e) {
            Dispatch.FAULTS.incrementAndGet();
        }
    }

    private void writeNotices(long t) {
        for (String c : probes.drainTooLarge()) {
            writer.notice(
                    "warn",
                    "class_too_large",
                    "probes would push a method past 64 KB of code or the class past a class file limit; loaded untouched",
                    c,
                    t);
        }
        for (String failed : installer.drainFailedTypes()) {
            writer.notice("warn", "hook_failed", "could not add API hooks; class left as it was: " + failed, null, t);
        }
        long faults = Dispatch.FAULTS.get();
        if (faults > reportedFaults) {
            writer.notice(
                    "warn",
                    "advice_fault",
                    "faults inside hooks were caught and not passed to the application",
                    null,
                    faults - reportedFaults,
                    t);
            reportedFaults = faults;
        }
        long probeFailures = probes.failures();
        if (probeFailures > reportedProbeFailures) {
            writer.notice(
                    "warn",
                    "probe_failed",
                    "classes could not be given probes and were loaded untouched",
                    null,
                    probeFailures - reportedProbeFailures,
                    t);
            reportedProbeFailures = probeFailures;
        }
        long installFailures = installer.failures();
        if (installFailures > reportedInstallFailures) {
            reportedInstallFailures = installFailures;
        }
        long over = inventory.overCapacity();
        if (over > reportedOverCapacity) {
            writer.notice(
                    "warn",
                    "too_many_classes",
                    "more classes than probe slots; the rest were loaded untouched",
                    null,
                    over - reportedOverCapacity,
                    t);
            reportedOverCapacity = over;
        }
    }

    /** The class path scan, once; at exit if the delay has not passed yet. */
    synchronized List<ClasspathScan.Source> scan() {
        if (scanned == null) {
            String cp = System.getProperty("java.class.path", "");
            scanned = ClasspathScan.scan(cp);
        }
        return scanned;
    }

    @Override
    public void beforeEnd() {
        Dispatch.agentThread();
        collect();
        try {
            ClasspathScan.writeUnloaded(scan(), units, inventory, writer, System.nanoTime());
        } catch (Throwable e) {
            Dispatch.FAULTS.incrementAndGet();
        }
        collect();
    }

    @Override
    public Integer exitCode() {
        Integer status = Dispatch.exitStatus();
        if (status != null) {
            return status;
        }
        // Without Shutdown.exit, the JVM ended because its last non-daemon thread did:
        // the launcher then exits 1 if main died of an exception, else 0.
        return Dispatch.mainDiedUncaught() ? 1 : 0;
    }

    @Override
    public Integer signal() {
        Integer status = Dispatch.exitStatus();
        String thread = Dispatch.exitThreadName();
        // The JVM's handlers for SIGTERM, SIGINT and SIGHUP run on a thread named after the
        // signal and exit with 128 + its number.
        if (status != null && thread != null && thread.startsWith("SIG") && status > 128) {
            return status - 128;
        }
        return null;
    }

    private static final class Collect implements Runnable {
        private final Recording recording;
        private boolean marked;

        Collect(Recording recording) {
            this.recording = recording;
        }

        @Override
        public void run() {
            if (!marked) {
                Dispatch.agentThread();
                marked = true;
            }
            recording.collect();
        }
    }

    private static final class ScanLater implements Runnable {
        private final Recording recording;

        ScanLater(Recording recording) {
            this.recording = recording;
        }

        @Override
        public void run() {
            try {
                Dispatch.agentThread();
                TimeUnit.MILLISECONDS.sleep(SCAN_DELAY_MILLIS);
                recording.scan();
            } catch (Throwable e) {
                // An interrupted or failed scan is done again at exit.
            }
        }
    }
}
