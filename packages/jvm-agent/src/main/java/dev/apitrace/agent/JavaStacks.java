package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Java stacks of recorded calls: captured with StackWalker (the agent's own frames
 * left out), each distinct one written once as a {@code stack} record and referred to
 * by id. Frame units are code source paths, as in {@code code_unit}.
 */
final class JavaStacks {
    static final int MAX_FRAMES = 64;

    private final StackWalker walker = StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
    private final CodeUnits units;
    private final ClassValue<String> unitOfClass;
    private final Map<String, Integer> ids = new HashMap<>();

    static final class Captured {
        final List<JavaFrame> frames;
        final boolean truncated;
        /** Code source of the first application frame below the hooked method, or null. */
        final String caller;
        /** The hooked method was called by application code, not by the JDK on its own behalf. */
        final boolean calledByApplication;

        Captured(List<JavaFrame> frames, boolean truncated, String caller, boolean calledByApplication) {
            this.frames = frames;
            this.truncated = truncated;
            this.caller = caller;
            this.calledByApplication = calledByApplication;
        }
    }

    JavaStacks(CodeUnits units) {
        this.units = units;
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        this.unitOfClass = new ClassValue<String>() {
            @Override
            protected String computeValue(Class<?> type) {
                ClassLoader loader = type.getClassLoader();
                if (loader == null || loader == platform) {
                    return null; // the JDK: not a code_unit of the application
                }
                CodeSourceLocation location = JavaStacks.this.units.locationOf(type.getProtectionDomain());
                return location == null ? null : location.path;
            }
        };
    }

    /** A named function, not a lambda: no invokedynamic bootstrap in the recording path. */
    private static final class KeepFrames
            implements Function<Stream<StackWalker.StackFrame>, List<StackWalker.StackFrame>> {
        @Override
        public List<StackWalker.StackFrame> apply(Stream<StackWalker.StackFrame> frames) {
            List<StackWalker.StackFrame> kept = new ArrayList<>(16);
            Iterator<StackWalker.StackFrame> it = frames.iterator();
            while (it.hasNext() && kept.size() <= MAX_FRAMES) {
                StackWalker.StackFrame f = it.next();
                if (!OwnCode.isOwn(f.getDeclaringClass())) {
                    kept.add(f);
                }
            }
            return kept;
        }
    }

    private static final KeepFrames KEEP_FRAMES = new KeepFrames();

    /** The current thread's stack below the agent, innermost first. */
    Captured capture() {
        List<StackWalker.StackFrame> raw = walker.walk(KEEP_FRAMES);
        boolean truncated = raw.size() > MAX_FRAMES;
        int n = Math.min(raw.size(), MAX_FRAMES);
        List<JavaFrame> frames = new ArrayList<>(n);
        String caller = null;
        for (int i = 0; i < n; i++) {
            StackWalker.StackFrame f = raw.get(i);
            String unit = unitOfClass.get(f.getDeclaringClass());
            // Frame 0 is the hooked method itself (in a JDBC driver it has a unit of its own).
            if (caller == null && unit != null && i > 0) {
                caller = unit;
            }
            frames.add(new JavaFrame(
                    f.getClassName() + "." + f.getMethodName(), f.getFileName(), f.getLineNumber(), unit));
        }
        return new Captured(frames, truncated, caller, frames.size() > 1 && frames.get(1).unit != null);
    }

    /**
     * Whether the class (not the package) or the method of an application frame within
     * the first {@link #MAX_FRAMES} names a secret ({@link ApiRecorder#namesSecret}): the
     * same frames {@link #capture} keeps and {@link ApiRecorder#inSecretContext} reads,
     * without building them.
     */
    boolean anyApplicationFrameNamesSecret() {
        return walker.walk(secretFrames);
    }

    private final class SecretFrames implements Function<Stream<StackWalker.StackFrame>, Boolean> {
        @Override
        public Boolean apply(Stream<StackWalker.StackFrame> frames) {
            Iterator<StackWalker.StackFrame> it = frames.iterator();
            int kept = 0;
            while (it.hasNext() && kept < MAX_FRAMES) {
                StackWalker.StackFrame f = it.next();
                Class<?> type = f.getDeclaringClass();
                if (OwnCode.isOwn(type)) {
                    continue;
                }
                kept++;
                if (unitOfClass.get(type) == null) {
                    continue;
                }
                String className = f.getClassName();
                if (ApiRecorder.namesSecret(className, className.lastIndexOf('.') + 1)
                        || ApiRecorder.namesSecret(f.getMethodName(), 0)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    }

    private final SecretFrames secretFrames = new SecretFrames();

    /** The id of this stack, writing its record first when it is new. Call with the writer's order held. */
    synchronized int idFor(Captured stack, EventWriter writer) {
        StringBuilder key = new StringBuilder(stack.frames.size() * 64);
        for (JavaFrame f : stack.frames) {
            f.appendKey(key);
        }
        String k = key.toString();
        Integer id = ids.get(k);
        if (id == null) {
            id = ids.size() + 1;
            ids.put(k, id);
            writer.stack(id, stack.frames, stack.truncated);
        }
        return id;
    }
}
