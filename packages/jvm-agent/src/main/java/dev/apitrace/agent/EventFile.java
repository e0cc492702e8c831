package dev.apitrace.agent;

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
import java.util.Set;

/**
 * This JVM's event file, {@code <pid>-jvm-<seq>.jsonl} (docs/events.md, "Event files"): its
 * name, its safe creation, and writing bytes to it. Only {@link EventWriter} uses it, one
 * write at a time. After a write fails the file is broken: nothing more is written (a
 * half-written line may be on disk, and readers only accept a truncated <em>last</em> line).
 */
final class EventFile {
    static final String SOURCE = "jvm";

    /** How many seq numbers to try before giving up on a directory full of our names. */
    static final int MAX_SEQ_TRIES = 1000;

    private static final Set<OpenOption> CREATE_EXCLUSIVE_NO_LINKS =
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_READ_WRITE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    final Path path;
    final int seq;
    private final SeekableByteChannel channel;
    private boolean broken;
    private volatile IOException failure;

    private EventFile(Path path, int seq, SeekableByteChannel channel) {
        this.path = path;
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
    static EventFile create(Path dir, long pid) throws IOException {
        for (int seq = 0; seq < MAX_SEQ_TRIES; seq++) {
            Path file = dir.resolve(fileName(pid, seq));
            try {
                return new EventFile(
                        file, seq, Files.newByteChannel(file, CREATE_EXCLUSIVE_NO_LINKS, OWNER_READ_WRITE));
            } catch (FileAlreadyExistsException taken) {
                // Taken by an earlier image of this pid (exec), another emitter, or a planted link.
            }
        }
        throw new IOException("no free file name after " + MAX_SEQ_TRIES + " tries");
    }

    /** Writes {@code lines} as UTF-8; false when the file is broken, now or before. Never throws. */
    boolean write(CharSequence lines) {
        if (broken) {
            return false;
        }
        // JsonOut escapes lone surrogates, so the text is well-formed and encodes exactly.
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        // A FileChannel closes itself when written from an interrupted thread
        // (ClosedByInterruptException), which would end recording for good. Hold the
        // caller's interrupt aside and give it back: the thread's state is not ours.
        boolean interrupted = Thread.interrupted();
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            return true;
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IOException(e.toString(), e));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return false;
    }

    private void fail(IOException e) {
        broken = true;
        failure = e;
    }

    /** Why writing stopped, or null while every write has succeeded. */
    IOException failure() {
        return failure;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            broken = true;
        }
    }
}
