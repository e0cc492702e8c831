package dev.apitrace.agent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one writer of a JVM's event file (docs/events.md, "Event files"): it names and
 * creates the file, formats every record, buffers whole lines and writes them
 * periodically and at exit. Hooks call its record methods; none formats JSON itself.
 *
 * <p>Thread-safe. Recording threads only append to an in-memory buffer; the disk is
 * written by {@link #flush()}, from the flusher thread or at exit. After a write fails
 * the writer stops writing (a half-written line may be on disk, and readers only accept
 * a truncated <em>last</em> line) and counts what it loses as dropped.
 */
final class EventWriter implements Closeable {
    static final String SOURCE = "jvm";
    static final String EMITTER_NAME = "apitrace-jvm-agent";

    /** How many seq numbers to try before giving up on a directory full of our names. */
    static final int MAX_SEQ_TRIES = 1000;
    /** Past this many buffered bytes the flusher is woken early. */
    static final int WAKE_FLUSHER_AT_BYTES = 64 * 1024;
    /** Past this many buffered bytes records are dropped instead of held (disk far behind). */
    static final int MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

    private static final Set<OpenOption> CREATE_EXCLUSIVE_NO_LINKS = Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_READ_WRITE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final int seq;
    private final SeekableByteChannel channel;

    /** Guards the buffer and the counters; held only for in-memory work. */
    private final Object bufferLock = new Object();
    private StringBuilder buffer = new StringBuilder(8 * 1024);
    private int bufferedRecords;
    private long accepted;
    private long dropped;
    private boolean closed;

    /** Serialises writes to the channel so lines reach the file in the order they were buffered. */
    private final Object fileLock = new Object();
    private boolean broken;
    private volatile IOException failure;

    private volatile Thread flusher;
    private volatile Runnable beforeEachFlush;

    /**
     * Runs {@code task} on the flusher thread before each periodic flush, to turn counters
     * into records off the application's threads. It must not throw.
     */
    void beforeEachFlush(Runnable task) {
        beforeEachFlush = task;
    }

    private EventWriter(Path file, int seq, SeekableByteChannel channel) {
        this.file = file;
        this.seq = seq;
        this.channel = channel;
    }

    static String fileName(long pid, int seq) {
        return pid + "-" + SOURCE + "-" + seq + ".jsonl";
    }

    /**
     * Creates {@code <pid>-jvm-<seq>.jsonl} in {@code dir} with the lowest free seq:
     * exclusively (an existing file, directory or symlink at the name is never opened,
     * the next seq is tried instead), without following links, mode 0600.
     *
     * @throws IOException when the directory is missing or unwritable, or no name is free
     */
    static EventWriter create(Path dir, long pid) throws IOException {
        for (int seq = 0; seq < MAX_SEQ_TRIES; seq++) {
            Path file = dir.resolve(fileName(pid, seq));
            try {
                return new EventWriter(file, seq, Files.newByteChannel(file, CREATE_EXCLUSIVE_NO_LINKS, OWNER_READ_WRITE));
            } catch (FileAlreadyExistsException taken) {
                // Taken by an earlier image of this pid (exec), another emitter, or a planted link.
            }
        }
        throw new IOException("no free file name after " + MAX_SEQ_TRIES + " tries");
    }

    Path file() {
        return file;
    }

    int seq() {
        return seq;
    }

    /** The first record of the file; written to disk at once so even a killed process leaves it. */
    void processStart(ProcessFacts facts, String emitterVersion, long t, long wallEpochMillis) {
        StringBuilder line = new StringBuilder(512);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "process_start")
            .field("v", 1)
            .field("source", SOURCE)
            .field("pid", facts.pid)
            .field("ppid", facts.ppid);
        if (facts.tid != ProcessFacts.NO_TID) {
            json.field("tid", facts.tid);
        }
        json.field("seq", seq)
            .field("origin", "start")
            .field("t", t)
            .field("wall", UtcTimestamp.format(wallEpochMillis))
            .field("exe", facts.exe)
            .field("argv", ArgvRedactor.redact(facts.argv))
            .field("cwd", facts.cwd)
            .beginObject("runtime")
                .field("name", "java")
                .field("version", facts.runtimeVersion)
                .field("vendor", facts.runtimeVendor)
            .endObject()
            .beginObject("emitter")
                .field("name", EMITTER_NAME)
                .field("version", emitterVersion)
            .endObject()
            .endObject();
        append(line);
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
            StringBuilder line = new StringBuilder(128);
            JsonOut json = new JsonOut(line).beginObject()
                .field("kind", "process_end")
                .field("t", t)
                .field("reason", reason);
            if (exitCode != null) {
                json.field("exit_code", exitCode.longValue());
            }
            if (signal != null) {
                json.field("signal", signal.longValue());
            }
            json.field("records", accepted + 1)
                .field("dropped", dropped)
                .endObject();
            append(line);
        }
    }

    void processEnd(String reason, long t) {
        processEnd(reason, null, null, t);
    }

    /**
     * A JVM code source: how it was found ({@code classload}, or {@code scan} with
     * loaded false), its path, its URL when not a plain file, every pom.properties
     * found in it as {group, artifact, version}, and its manifest's identity attributes.
     */
    void codeUnit(long t, String path, String url, String how, boolean loaded, List<String[]> maven, Map<String, String> manifest) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "code_unit")
            .field("t", t)
            .field("unit", "code_source")
            .field("how", how)
            .field("path", path);
        if (url != null) {
            json.field("url", url);
        }
        if (!loaded) {
            json.field("loaded", false);
        }
        json.beginArray("maven");
        for (String[] gav : maven) {
            json.beginObject().field("group", gav[0]).field("artifact", gav[1]).field("version", gav[2]).endObject();
        }
        json.endArray();
        if (!manifest.isEmpty()) {
            json.beginObject("manifest");
            for (Map.Entry<String, String> attribute : manifest.entrySet()) {
                json.field(attribute.getKey(), attribute.getValue());
            }
            json.endObject();
        }
        json.endObject();
        append(line);
    }

    /** Methods of one class of a code source; {@code ran} null means none ran (never loaded). */
    void functionInventory(long t, String unit, String scope, boolean loaded, String[] names, String[] sigs, boolean[] ran) {
        StringBuilder line = new StringBuilder(64 + names.length * 48);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "function_inventory")
            .field("t", t)
            .field("unit", unit)
            .field("scope", scope)
            .field("loaded", loaded)
            .beginArray("functions");
        for (int i = 0; i < names.length; i++) {
            json.beginObject().field("name", names[i]).field("sig", sigs[i]).field("ran", ran != null && ran[i]).endObject();
        }
        json.endArray().endObject();
        append(line);
    }

    /** A distinct Java stack, innermost frame first. */
    void stack(int id, List<JavaFrame> frames, boolean truncated) {
        StringBuilder line = new StringBuilder(64 + frames.size() * 96);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "stack")
            .field("id", id)
            .beginArray("frames");
        for (JavaFrame f : frames) {
            json.beginObject().field("lang", "java").field("fn", f.fn);
            if (f.file != null) {
                json.field("file", f.file);
            }
            if (f.line >= 0) {
                json.field("line", f.line);
            }
            if (f.unit != null) {
                json.field("unit", f.unit);
            }
            json.endObject();
        }
        json.endArray();
        if (truncated) {
            json.field("truncated", true);
        }
        json.endObject();
        append(line);
    }

    /** One sensitive call as a span on (pid, tid). */
    void call(SpanRecord span) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "call")
            .field("api", span.api)
            .field("category", span.category)
            .field("tid", span.tid)
            .field("t0", span.t0)
            .field("t1", span.t1);
        if (span.caller != null) {
            json.field("caller", span.caller);
        }
        if (span.stack > 0) {
            json.field("stack", span.stack);
        }
        if (!span.args.isEmpty()) {
            json.beginObject("args");
            for (Map.Entry<String, Object> e : span.args.entrySet()) {
                json.scalar(e.getKey(), e.getValue());
            }
            json.endObject();
        }
        if (span.returned != null || span.error != null) {
            json.beginObject("result");
            if (span.returned != null) {
                json.scalar("ret", span.returned);
            }
            if (span.error != null) {
                json.field("error", span.error);
            }
            json.endObject();
        }
        if (!span.flags.isEmpty()) {
            json.field("flags", span.flags);
        }
        json.endObject();
        append(line);
    }

    /** HTTP exchanges of one key since the previous record of that key. */
    void webApi(WebApiTable.Entry e, long count, long firstT, long lastT, long min, long max, long sum) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "web_api")
            .field("direction", e.direction)
            .field("method", e.method);
        if (e.scheme != null) {
            json.field("scheme", e.scheme);
        }
        if (e.host != null) {
            json.field("host", e.host);
        }
        json.field("route", e.route);
        if (e.status >= 0) {
            json.field("status", e.status);
        }
        json.field("framework", e.framework)
            .field("count", count)
            .field("first_t", firstT)
            .field("last_t", lastT)
            .beginObject("dur_ns").field("min", min).field("max", max).field("sum", sum).endObject();
        if (e.caller != null) {
            json.field("caller", e.caller);
        }
        json.endObject();
        append(line);
    }

    /** Something the agent wants known: what it skipped, could not instrument, or lost. */
    void notice(String level, String code, String message, String subject, long t) {
        notice(level, code, message, subject, 0, t);
    }

    /** A notice standing for {@code count} occurrences (left out when 0). */
    void notice(String level, String code, String message, String subject, long count, long t) {
        StringBuilder line = new StringBuilder(128);
        JsonOut json = new JsonOut(line).beginObject()
            .field("kind", "notice")
            .field("level", level)
            .field("code", code)
            .field("message", message);
        if (subject != null) {
            json.field("subject", subject);
        }
        if (count > 0) {
            json.field("count", count);
        }
        json.field("t", t).endObject();
        append(line);
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
            if (broken) {
                lost(chunkRecords);
                return;
            }
            // JsonOut escapes lone surrogates, so the text is well-formed and encodes exactly.
            ByteBuffer bytes = ByteBuffer.wrap(chunk.toString().getBytes(StandardCharsets.UTF_8));
            // A FileChannel closes itself when written from an interrupted thread
            // (ClosedByInterruptException), which would end recording for good. Hold the
            // caller's interrupt aside and give it back: the thread's state is not ours.
            boolean interrupted = Thread.interrupted();
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                fail(e, chunkRecords);
            } catch (RuntimeException e) {
                fail(new IOException(e.toString(), e), chunkRecords);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void fail(IOException e, int chunkRecords) {
        broken = true;
        failure = e;
        lost(chunkRecords);
    }

    /** Why writing stopped, or null while every write has succeeded. */
    IOException failure() {
        return failure;
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
            try {
                channel.close();
            } catch (IOException e) {
                broken = true;
            }
        }
        Thread t = flusher;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
