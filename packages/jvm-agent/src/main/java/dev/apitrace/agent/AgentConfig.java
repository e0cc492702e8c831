package dev.apitrace.agent;

import java.util.Map;

/** What the agent is told to do. For now only where to write: APITRACE_DIR. */
final class AgentConfig {
    static final String DIR_VARIABLE = "APITRACE_DIR";
    /** A process killed with SIGKILL loses at most this much of its records. */
    static final long FLUSH_INTERVAL_MILLIS = 1000;

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
