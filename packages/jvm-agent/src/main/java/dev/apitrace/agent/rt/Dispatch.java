package dev.apitrace.agent.rt;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge between advice inlined into JDK (and library) methods and the agent. Its
 * methods never throw: a fault of ours is counted in {@link #FAULTS} and the application
 * goes on as if nothing was there.
 *
 * <p>Per thread it tracks whether a span is open (an inner sensitive call, such as
 * {@code FileInputStream(String)} calling {@code FileInputStream(File)}, belongs to the
 * outer one and is not recorded again) and whether the thread is doing the agent's own
 * work (its writes and scans are never recorded).
 */
public final class Dispatch {
    /** Returned by the enter methods when nothing is to be recorded for this call. */
    public static final long SKIP = -1L;

    /** Faults caught in advice and in the sink; reported by the agent as a notice. */
    public static final AtomicLong FAULTS = new AtomicLong();

    private static volatile SpanSink sink;

    /** Status passed to Shutdown.exit (System.exit, or a signal's handler), or null. */
    private static volatile Integer exitStatus;

    private static volatile String exitThreadName;
    private static volatile Thread mainThread;
    private static volatile boolean mainDiedUncaught;

    /**
     * Calls to a sampled API recorded on every thread before sampling starts; after that,
     * one in {@link #SAMPLE_EVERY}. Recording a call walks its stack (microseconds) while
     * the API itself (Random.nextInt) takes nanoseconds: a loop drawing random numbers
     * would otherwise run hundreds of times slower.
     */
    public static final int SAMPLED_FIRST = 1024;

    public static final int SAMPLE_EVERY = 1024;

    private static final ThreadLocal<ThreadState> STATE = new ThreadLocal<>();

    private static final class ThreadState {
        int openSpans;
        int openServed;
        boolean agentWork;
        /** Calls to sampled APIs on this thread, cycling through the sampling period once past SAMPLED_FIRST. */
        int sampledCalls;
    }

    private Dispatch() {}

    public static void install(SpanSink s, Thread main) {
        mainThread = main;
        sink = s;
    }

    private static ThreadState state() {
        ThreadState s = STATE.get();
        if (s == null) {
            s = new ThreadState();
            STATE.set(s);
        }
        return s;
    }

    /** Marks the current thread as the agent's own: nothing it does is recorded. */
    public static void agentThread() {
        state().agentWork = true;
    }

    /** Enters agent work on an application thread; returns whether it was already inside. */
    public static boolean beginAgentWork() {
        ThreadState s = state();
        boolean was = s.agentWork;
        s.agentWork = true;
        return was;
    }

    public static void endAgentWork(boolean was) {
        state().agentWork = was;
    }

    /** Start of a sensitive call: its t0, or {@link #SKIP}. */
    public static long enter() {
        try {
            if (sink == null) {
                return SKIP;
            }
            ThreadState s = state();
            if (s.agentWork || s.openSpans > 0) {
                return SKIP;
            }
            s.openSpans = 1;
            return System.nanoTime();
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
            return SKIP;
        }
    }

    /**
     * Start of a call to a high-frequency API (java.util.Random): like {@link #enter}
     * for the thread's first {@link #SAMPLED_FIRST} calls, then for one call in
     * {@link #SAMPLE_EVERY}; the others cost this counter and nothing else.
     */
    public static long enterSampled() {
        try {
            if (sink == null) {
                return SKIP;
            }
            ThreadState s = state();
            if (s.agentWork || s.openSpans > 0) {
                return SKIP;
            }
            int n = s.sampledCalls;
            if (n < SAMPLED_FIRST) {
                s.sampledCalls = n + 1;
            } else {
                s.sampledCalls = n + 1 < SAMPLED_FIRST + SAMPLE_EVERY ? n + 1 : SAMPLED_FIRST;
                if (n != SAMPLED_FIRST) {
                    return SKIP;
                }
            }
            s.openSpans = 1;
            return System.nanoTime();
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
            return SKIP;
        }
    }

    /** java.util.Random: {@link #enterSampled}, except that SecureRandom (a subclass) is never a weak random. */
    public static long enterRandom(Object self) {
        return self instanceof java.security.SecureRandom ? SKIP : enterSampled();
    }

    public static void exit(int hook, long t0, Object self, Object[] args, Object returned, Throwable thrown) {
        if (t0 == SKIP) {
            return;
        }
        long t1 = System.nanoTime();
        ThreadState s = null;
        try {
            s = state();
            s.openSpans = 0;
            SpanSink k = sink;
            if (k != null) {
                s.agentWork = true;
                k.call(hook, t0, t1, self, args, returned, thrown);
            }
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
        } finally {
            if (s != null) {
                s.agentWork = false;
            }
        }
    }

    /** Start of a served HTTP exchange: only the outermost one on a thread is recorded. */
    public static long enterServed() {
        try {
            if (sink == null) {
                return SKIP;
            }
            ThreadState s = state();
            if (s.agentWork || s.openServed > 0) {
                return SKIP;
            }
            s.openServed = 1;
            return System.nanoTime();
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
            return SKIP;
        }
    }

    public static void exitServed(int hook, long t0, Object self, Object[] args, Throwable thrown) {
        if (t0 == SKIP) {
            return;
        }
        long t1 = System.nanoTime();
        ThreadState s = null;
        try {
            s = state();
            s.openServed = 0;
            SpanSink k = sink;
            if (k != null) {
                s.agentWork = true;
                k.served(hook, t0, t1, self, args, thrown);
            }
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
        } finally {
            if (s != null) {
                s.agentWork = false;
            }
        }
    }

    /** Shutdown.exit(status): System.exit, Runtime.exit, or the handler of SIGTERM/SIGINT/SIGHUP. */
    public static void exiting(int status) {
        try {
            if (exitStatus == null) {
                exitThreadName = Thread.currentThread().getName();
                exitStatus = status;
            }
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
        }
    }

    /** Thread.dispatchUncaughtException: the launcher exits with 1 when main ends this way. */
    public static void uncaught(Thread thread) {
        try {
            if (thread == mainThread) {
                mainDiedUncaught = true;
            }
        } catch (Throwable t) {
            FAULTS.incrementAndGet();
        }
    }

    public static Integer exitStatus() {
        return exitStatus;
    }

    public static String exitThreadName() {
        return exitThreadName;
    }

    public static boolean mainDiedUncaught() {
        return mainDiedUncaught;
    }
}
