package dev.apitrace.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Who this process is, as {@code process_start} reports it: pid, ppid, the OS thread
 * id, the executable, argv (raw: the writer redacts it), the working directory and the
 * Java runtime. Every fact is read on its own; one that cannot be read gets a neutral
 * value instead of failing the rest.
 *
 * <p>Like the rest of the startup path, no lambdas here: bootstrapping invokedynamic
 * would add milliseconds to the start of every recorded JVM.
 */
final class ProcessFacts {
    /** Unknown OS thread id; the schema's tid starts at 1, so writers leave it out. */
    static final long NO_TID = 0;

    private static final ThreadLocal<long[]> TID = new ThreadLocal<>();

    final long pid;
    final long ppid;
    final long tid;
    final String exe;
    final List<String> argv;
    final String cwd;
    final String runtimeVersion;
    final String runtimeVendor;

    ProcessFacts(
            long pid,
            long ppid,
            long tid,
            String exe,
            List<String> argv,
            String cwd,
            String runtimeVersion,
            String runtimeVendor) {
        this.pid = pid;
        this.ppid = ppid;
        this.tid = tid;
        this.exe = exe;
        this.argv = argv;
        this.cwd = cwd;
        this.runtimeVersion = runtimeVersion;
        this.runtimeVendor = runtimeVendor;
    }

    /** The facts of the running JVM, read on the calling thread (its tid is the one recorded). */
    static ProcessFacts current() {
        long[] ids = readPidAndPpid();
        return new ProcessFacts(
                ids[0],
                ids[1],
                currentThreadTid(),
                readExe(),
                readArgv(),
                property("user.dir"),
                property("java.runtime.version"),
                property("java.vendor"));
    }

    /**
     * pid and ppid from {@code /proc/self/stat}, read together. /proc first because
     * ProcessHandle's first use spins up lambdas and an executor, a few milliseconds at
     * the start of every recorded JVM; it stays the fallback.
     */
    private static long[] readPidAndPpid() {
        try {
            return parseStat(new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            ProcessHandle self = ProcessHandle.current();
            long ppid = 0;
            try {
                Optional<ProcessHandle> parent = self.parent();
                ppid = parent.isPresent() ? parent.get().pid() : 0;
            } catch (RuntimeException again) {
                // 0 is a valid, neutral pid.
            }
            return new long[] {self.pid(), ppid};
        }
    }

    /**
     * {@code <pid> (<comm>) <state> <ppid> ...}: comm may hold spaces and parentheses,
     * so the fields after it are found from the last ')'.
     */
    static long[] parseStat(String stat) {
        long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
        return new long[] {pid, Long.parseLong(after[1])};
    }

    /**
     * The OS thread id of the calling thread: the number ending the target of
     * {@code /proc/thread-self} ({@code <pid>/task/<tid>}). Read once per thread, as
     * the contract asks; {@link #NO_TID} when it cannot be read.
     */
    static long currentThreadTid() {
        long[] cached = TID.get();
        if (cached == null) {
            cached = new long[] {readTid()};
            TID.set(cached);
        }
        return cached[0];
    }

    static long readTid() {
        try {
            String target =
                    Files.readSymbolicLink(Paths.get("/proc/thread-self")).toString();
            return Long.parseLong(target.substring(target.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return NO_TID;
        }
    }

    private static String readExe() {
        try {
            return Files.readSymbolicLink(Paths.get("/proc/self/exe")).toString();
        } catch (IOException | RuntimeException e) {
            try {
                Optional<String> command = ProcessHandle.current().info().command();
                return command.isPresent() ? command.get() : "";
            } catch (RuntimeException again) {
                return "";
            }
        }
    }

    private static List<String> readArgv() {
        try {
            return parseCmdline(Files.readAllBytes(Paths.get("/proc/self/cmdline")));
        } catch (IOException | RuntimeException e) {
            try {
                ProcessHandle.Info info = ProcessHandle.current().info();
                List<String> argv = new ArrayList<>();
                if (info.command().isPresent()) {
                    argv.add(info.command().get());
                }
                if (info.arguments().isPresent()) {
                    Collections.addAll(argv, info.arguments().get());
                }
                return argv;
            } catch (RuntimeException again) {
                return Collections.emptyList();
            }
        }
    }

    /** {@code /proc/<pid>/cmdline}: each argument followed by a NUL. */
    static List<String> parseCmdline(byte[] cmdline) {
        List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                argv.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            // No final NUL: a process that rewrote its own argv area.
            argv.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
        }
        return argv;
    }

    private static String property(String name) {
        try {
            String value = System.getProperty(name);
            return value == null ? "" : value;
        } catch (RuntimeException e) {
            return "";
        }
    }
}
