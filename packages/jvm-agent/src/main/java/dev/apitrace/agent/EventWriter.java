package dev.apitrace.agent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one writer of a JVM's event file (docs/events.md, "Event files"): it keeps the
 * order of records, buffers whole lines and writes them periodically and at exit, within
 * bounds. The file itself (naming, creation, writing bytes) is {@link EventFile}; the
 * record formats are {@link EventRecords}. Hooks call its record methods; none formats
 * JSON itself.
 *
 * <p>Thread-safe. Recording threads only append to an in-memory buffer; the disk is
 * written by {@link #flush()}, from the flusher thread or at exit. After a write fails
 * the writer stops writing and counts what it loses as dropped.
 */
final class EventWriter implements Closeable {
    static final String SOURCE = EventFile.SOURCE;
    static final int MAX_SEQ_TRIES = EventFile.MAX_SEQ_TRIES;

    /** Past this many buffered bytes the flusher is woken early. */
    static final int WAKE_FLUSHER_AT_BYTES = 64 * 1024;
    /** Past this many buffered bytes records are dropped instead of held (disk far behind). */
    static final int MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

    private final EventFile file;

    /** Guards the buffer and the counters; held only for in-memory work. */
    private final Object bufferLock = new Object();

    private StringBuilder buffer = new StringBuilder(8 * 1024);
    private int bufferedRecords;
    private long accepted;
    private long dropped;
    private boolean closed;

    /** Serialises writes to the file so lines reach it in the order they were buffered. */
    private final Object fileLock = new Object();

    private volatile Thread flusher;
    private volatile Runnable beforeEachFlush;

    /**
     * Runs {@code task} on the flusher thread before each periodic flush, to turn counters
     * into records off the application's threads. It must not throw.
     */
    void beforeEachFlush(Runnable task) {
        beforeEachFlush = task;
    }

    private EventWriter(EventFile file) {
        this.file = file;
    }

    static String fileName(long pid, int seq) {
        return EventFile.fileName(pid, seq);
    }

    /** Creates the event file in {@code dir} ({@link EventFile#create}) and a writer for it. */
    static EventWriter create(Path dir, long pid) throws IOException {
        return new EventWriter(EventFile.create(dir, pid));
    }

    Path file() {
        return file.path;
    }

    int seq() {
        return file.seq;
    }

    /** The first record of the file; written to disk at once so even a killed process leaves it. */
    void processStart(ProcessFacts facts, String emitterVersion, long t, long wallEpochMillis) {
        append(EventRecords.processStart(facts, file.seq, emitterVersion, t, wallEpochMillis));
        flush();
    }

    /**
     * The last record: how the process ended, how many records this writer wrote
     * (this one included) and how many it lost. The caller then {@link #close()}s.
     * {@code exitCode} and {@code signal} are left out when null.
     */
    void processEnd(String reason, Integer exitCode, Integer signal, long t) {
        // Counted and appended under one hold of the lock, so no record slips in between.
        synchronized (bufferLock) {
            append(EventRecords.processEnd(reason, exitCode, signal, t, accepted + 1, dropped));
        }
    }

    void processEnd(String reason, long t) {
        processEnd(reason, null, null, t);
    }

    /** A JVM code source ({@link EventRecords#codeUnit}). */
    void codeUnit(
            long t,
            String path,
            String url,
            String how,
            boolean loaded,
            List<String[]> maven,
            Map<String, String> manifest) {
        append(EventRecords.codeUnit(t, path, url, how, loaded, maven, manifest));
    }

    /** Methods of one class of a code source; {@code ran} null means none ran (never loaded). */
    void functionInventory(
            long t, String unit, String scope, boolean loaded, String[] names, String[] sigs, boolean[] ran) {
        append(EventRecords.functionInventory(t, unit, scope, loaded, names, sigs, ran));
    }

    /** A distinct Java stack, innermost frame first. */
    void stack(int id, List<JavaFrame> frames, boolean truncated) {
        append(EventRecords.stack(id, frames, truncated));
    }

    /** One sensitive call as a span on (pid, tid). */
    void call(SpanRecord span) {
        append(EventRecords.call(span));
    }

    /** HTTP exchanges of one key since the previous record of that key. */
    void webApi(WebApiTable.Entry e, long count, long firstT, long lastT, long min, long max, long sum) {
        append(EventRecords.webApi(e, count, firstT, lastT, min, max, sum));
    }

    /** Something the agent wants known: what it skipped, could not instrument, or lost. */
    void notice(String level, String code, String message, String subject, long t) {
        notice(level, code, message, subject, 0, t);
    }

    /** A notice standing for {@code count} occurrences (left out when 0). */
    void notice(String level, String code, String message, String subject, long count, long t) {
        append(EventRecords.notice(level, code, message, subject, count, t));
    }

    /** Adds one formatted record as a line, or counts it as dropped. */
    private void append(StringBuilder record) {
        boolean wake;
        synchronized (bufferLock) {
            if (closed || buffer.length() + record.length() >= MAX_BUFFERED_BYTES) {
                dropped++;
                return;
            }
            buffer.append(record).append('\n');
            bufferedRecords++;
            accepted++;
            wake = buffer.length() >= WAKE_FLUSHER_AT_BYTES;
        }
        Thread t = flusher;
        if (wake && t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Writes every buffered line to the file. Safe from any thread; never throws. */
    void flush() {
        synchronized (fileLock) {
            StringBuilder chunk;
            int chunkRecords;
            synchronized (bufferLock) {
                if (bufferedRecords == 0) {
                    return;
                }
                chunk = buffer;
                chunkRecords = bufferedRecords;
                buffer = new StringBuilder(Math.max(8 * 1024, chunk.capacity() / 2));
                bufferedRecords = 0;
            }
            if (!file.write(chunk)) {
                lost(chunkRecords);
            }
        }
    }

    /** Why writing stopped, or null while every write has succeeded. */
    IOException failure() {
        return file.failure();
    }

    private void lost(int records) {
        synchronized (bufferLock) {
            accepted -= records;
            dropped += records;
        }
    }

    /**
     * Starts the daemon thread that flushes every {@code intervalMillis}, so a process
     * killed with SIGKILL loses at most one interval.
     */
    void startFlusher(long intervalMillis) {
        Thread t = new Thread(new PeriodicFlush(this, TimeUnit.MILLISECONDS.toNanos(intervalMillis)), "apitrace-flush");
        t.setDaemon(true);
        // Keep the application's class loader reachable only through its own threads.
        t.setContextClassLoader(null);
        flusher = t;
        t.start();
    }

    /** A named class, not a lambda: see ProcessFacts on invokedynamic at startup. */
    private static final class PeriodicFlush implements Runnable {
        private final EventWriter writer;
        private final long intervalNanos;

        PeriodicFlush(EventWriter writer, long intervalNanos) {
            this.writer = writer;
            this.intervalNanos = intervalNanos;
        }

        @Override
        public void run() {
            while (!writer.isClosed()) {
                LockSupport.parkNanos(writer, intervalNanos);
                // Our own thread: an interrupt (some frameworks interrupt every thread at
                // shutdown) means nothing here, and left set it would make park return at once.
                Thread.interrupted();
                Runnable before = writer.beforeEachFlush;
                if (before != null && !writer.isClosed()) {
                    before.run();
                }
                writer.flush();
            }
        }
    }

    private boolean isClosed() {
        synchronized (bufferLock) {
            return closed;
        }
    }

    /** Records accepted so far (buffered or written). */
    long records() {
        synchronized (bufferLock) {
            return accepted;
        }
    }

    long dropped() {
        synchronized (bufferLock) {
            return dropped;
        }
    }

    /** Flushes and closes the file; records offered afterwards are counted as dropped. */
    @Override
    public void close() {
        synchronized (fileLock) {
            synchronized (bufferLock) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            flush(); // monitors are reentrant: this writes all that was accepted before closing
            file.close();
        }
        Thread t = flusher;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
