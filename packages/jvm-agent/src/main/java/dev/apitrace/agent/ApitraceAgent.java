package dev.apitrace.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Entry point of apitrace.jar ({@code -javaagent:apitrace.jar}, or attached later).
 * It opens the event file, writes {@code process_start}, and arranges for
 * {@code process_end} at exit. Whatever happens in here stays in here: every
 * Throwable is caught, and the application runs as it would without the agent.
 */
public final class ApitraceAgent {
    static final String DEFAULT_VERSION = ApitraceVersion.VERSION;

    /**
     * One recording per JVM, even when the agent is named twice (JAVA_TOOL_OPTIONS and the
     * command line, or a later attach): each load goes through the system class loader,
     * so they all meet this one flag.
     */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ApitraceAgent() {}

    public static void premain(String args, Instrumentation instrumentation) {
        start(instrumentation);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        start(instrumentation);
    }

    private static void start(Instrumentation instrumentation) {
        try {
            if (!STARTED.compareAndSet(false, true)) {
                return;
            }
            EventWriter writer = startRecording(AgentConfig.fromEnvironment(System.getenv()), System.err);
            if (writer != null && instrumentation != null) {
                startInstrumentation(instrumentation, writer);
            }
        } catch (Throwable t) {
            // Invariant: never crash or change the application, not even on our own bugs.
        }
    }

    /** What the exit hook asks of the instrumentation before writing process_end. */
    interface EndOfProcess {
        /** Writes what is still counted, and what was installed but never loaded. */
        void beforeEnd();

        Integer exitCode();

        /** The signal whose handler ended the JVM, or null. */
        Integer signal();
    }

    /** Set once instrumentation runs; the exit hook finishes with it. */
    private static volatile EndOfProcess endOfProcess;

    /**
     * Method probes and API hooks. The bootstrap runtime goes in first, before any class
     * that refers to it is loaded. A failure leaves process_start/process_end recording
     * as it is and says why in a notice.
     */
    private static void startInstrumentation(Instrumentation instrumentation, EventWriter writer) {
        try {
            BootstrapRuntime.inject(instrumentation);
            BootstrapRuntime.addReadEdges(instrumentation);
            endOfProcess = Recording.start(instrumentation, writer);
        } catch (Throwable t) {
            writer.notice(
                    "error",
                    "instrumentation_failed",
                    "methods and APIs are not recorded in this process: " + t,
                    null,
                    System.nanoTime());
        }
    }

    /**
     * Opens the event file and writes {@code process_start}; registers the exit record.
     * Returns null, after at most one line on {@code err}, when recording is off or the
     * file cannot be written. Never throws.
     */
    static EventWriter startRecording(AgentConfig config, PrintStream err) {
        if (!config.recording()) {
            return null;
        }
        EventWriter writer = null;
        try {
            // Read the clocks together so that wall is the wall clock at t.
            long t = System.nanoTime();
            long wall = System.currentTimeMillis();
            ProcessFacts facts = ProcessFacts.current();
            writer = EventWriter.create(Paths.get(config.dir), facts.pid);
            writer.processStart(facts, emitterVersion(), t, wall);
            IOException failed = writer.failure();
            if (failed != null) {
                throw failed;
            }
            Thread atExit = new Thread(new RecordExit(writer), "apitrace-exit");
            atExit.setContextClassLoader(null);
            Runtime.getRuntime().addShutdownHook(atExit);
            writer.startFlusher(AgentConfig.flushIntervalMillis());
            return writer;
        } catch (Throwable e) {
            if (writer != null) {
                discard(writer);
            }
            try {
                err.println(cannotWriteMessage(config.dir, e));
            } catch (Throwable ignored) {
                // A broken stderr is the application's business, not ours.
            }
            return null;
        }
    }

    /** The shutdown hook. A named class, not a lambda: see ProcessFacts on invokedynamic at startup. */
    private static final class RecordExit implements Runnable {
        private final EventWriter writer;

        RecordExit(EventWriter writer) {
            this.writer = writer;
        }

        @Override
        public void run() {
            try {
                EndOfProcess end = endOfProcess;
                if (end == null) {
                    // Without the hooks on Shutdown.exit, no exit status is known here.
                    writer.processEnd("exit", System.nanoTime());
                } else {
                    end.beforeEnd();
                    Integer signal = end.signal();
                    writer.processEnd(signal == null ? "exit" : "signal", end.exitCode(), signal, System.nanoTime());
                }
                writer.close();
            } catch (Throwable t) {
                // Exiting anyway; nothing useful to do.
            }
        }
    }

    /** Closes a writer whose file never got its first record and removes that empty file. */
    private static void discard(EventWriter writer) {
        try {
            writer.close();
            Files.deleteIfExists(writer.file());
        } catch (Throwable t) {
            // Best effort: an empty file without process_start is all that can remain.
        }
    }

    /** {@code apitrace: jvm: cannot write events to <dir>: <why> (recording off for this process)}. */
    static String cannotWriteMessage(String dir, Throwable e) {
        String line = "apitrace: " + EventWriter.SOURCE + ": cannot write events to " + dir + ": " + why(e)
                + " (recording off for this process)";
        // One line, whatever the path or the message holds.
        return line.replace('\n', ' ').replace('\r', ' ');
    }

    /** The OS's words where Java has them ("Not a directory"), else a close equivalent. */
    static String why(Throwable e) {
        if (e instanceof FileSystemException) {
            String reason = ((FileSystemException) e).getReason();
            if (reason != null && !reason.isEmpty()) {
                return reason;
            }
            if (e instanceof NoSuchFileException) {
                return "No such file or directory";
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
        }
        String message = e.getMessage();
        return message == null || message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    static String emitterVersion() {
        Package pkg = ApitraceAgent.class.getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return version == null || version.isEmpty() ? DEFAULT_VERSION : version;
    }
}
