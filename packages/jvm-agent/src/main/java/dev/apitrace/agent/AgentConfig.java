package dev.apitrace.agent;

import java.util.Map;

/** What the agent is told to do. For now only where to write: APITRACE_DIR. */
final class AgentConfig {
    static final String DIR_VARIABLE = "APITRACE_DIR";
    /** A process killed with SIGKILL loses at most this much of its records. */
    static final long FLUSH_INTERVAL_MILLIS = 1000;
    /**
     * A JVM embedded in another program (JNI_CreateJavaVM, e.g. Node's java-bridge) is often
     * never destroyed: its shutdown hooks do not run and nothing is written at exit. It collects
     * and writes this often instead (a walk over the probe arrays: microseconds for thousands of
     * classes), so only the last moments can be lost.
     */
    static final long EMBEDDED_FLUSH_INTERVAL_MILLIS = 50;

    /** The java launcher sets sun.java.launcher; a JVM created through JNI by another program does not. */
    static boolean isEmbeddedJvm() {
        return System.getProperty("sun.java.launcher") == null;
    }

    static long flushIntervalMillis() {
        return isEmbeddedJvm() ? EMBEDDED_FLUSH_INTERVAL_MILLIS : FLUSH_INTERVAL_MILLIS;
    }

    /** The run directory exactly as given, or null when recording is off. */
    final String dir;

    AgentConfig(String dir) {
        this.dir = dir == null || dir.isEmpty() ? null : dir;
    }

    static AgentConfig fromEnvironment(Map<String, String> env) {
        return new AgentConfig(env.get(DIR_VARIABLE));
    }

    /** Unset or empty APITRACE_DIR: every emitter stays inert and silent. */
    boolean recording() {
        return dir != null;
    }
}
