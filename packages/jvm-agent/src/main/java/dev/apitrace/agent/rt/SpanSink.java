package dev.apitrace.agent.rt;

/**
 * What the agent does with a finished span. Implemented in the agent (system class
 * loader) and handed to {@link Dispatch}; the JDK's instrumented code only sees this
 * bootstrap interface.
 */
public interface SpanSink {
    /** A sensitive API call: hook index in the agent's table, its span, its arguments and outcome. */
    void call(int hook, long t0, long t1, Object self, Object[] args, Object returned, Throwable thrown);

    /** An HTTP exchange served: the framework's request/exchange objects. */
    void served(int hook, long t0, long t1, Object self, Object[] args, Throwable thrown);
}
