package dev.apitrace.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Puts a probe at the entry of every method and constructor of every class loaded from
 * the application and its libraries (not the JDK, not the agent):
 * {@code Probes.ARRAYS[classId][methodIndex] = true}, JaCoCo-style, no call on the hot path.
 *
 * <p>It works on the class file bytes alone, with {@link ClassFileProbes} and with ASM (Byte
 * Buddy's copy) for what that leaves alone: no class is
 * loaded or described through a class loader while a class loads, so it cannot cause
 * a ClassCircularityError or a class-loading deadlock. It adds no field or method and
 * changes no signature (retransformation stays possible). The probe is straight-line
 * code at offset 0 that leaves the operand stack as it found it, so the method's stack
 * map frames stay valid as they are.
 *
 * <p>A class whose rewritten form cannot be written (a method past 64 KB of code) is
 * loaded untouched and reported; so is any other failure here, counted, never thrown.
 */
final class ProbeTransformer implements ClassFileTransformer {
    private static final String PROBES = "dev/apitrace/agent/rt/Probes";
    private static final int ASM_API = Opcodes.ASM9;

    private final ClassInventory inventory;
    private final CodeUnits units;
    private final JdbcTypes jdbc;
    private final ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
    private final ProtectionDomain ownDomain = ProbeTransformer.class.getProtectionDomain();

    /** Classes left untouched because their rewritten form was too large; names kept for the notice. */
    private final List<String> tooLarge = new ArrayList<>();

    private final AtomicLong failures = new AtomicLong();

    private final Instrumentation inst;
    private final Module runtime;

    /** {@code inst} and {@code runtime} may be null (no read edges for named modules then). */
    ProbeTransformer(ClassInventory inventory, CodeUnits units, JdbcTypes jdbc, Instrumentation inst, Module runtime) {
        this.inventory = inventory;
        this.units = units;
        this.jdbc = jdbc;
        this.inst = inst;
        this.runtime = runtime;
    }

    @Override
    public byte[] transform(
            Module module,
            ClassLoader loader,
            String className,
            Class<?> classBeingRedefined,
            ProtectionDomain domain,
            byte[] bytes) {
        byte[] out = transform(loader, className, classBeingRedefined, domain, bytes);
        if (out != null && inst != null && module != null && module.isNamed()) {
            try {
                // A named module reads only what it declares: let it read the probe arrays.
                BootstrapRuntime.addReadEdge(inst, module, runtime);
            } catch (Throwable t) {
                failures.incrementAndGet();
                return null;
            }
        }
        return out;
    }

    @Override
    public byte[] transform(
            ClassLoader loader, String className, Class<?> classBeingRedefined, ProtectionDomain domain, byte[] bytes) {
        if (loader == null || loader == platformLoader || className == null || bytes == null) {
            return null; // the JDK, and anything without a name (hidden classes)
        }
        // The agent's own classes by their domain; no helper class here: a class first loaded
        // from inside transform() would be transformed while it is being defined.
        if (domain == ownDomain || className.indexOf("$$Lambda") >= 0) {
            return null;
        }
        try {
            CodeSourceLocation location = units.locationOf(domain);
            if (location == null) {
                return null; // generated at run time (proxies, generated accessors): no code source to report
            }
            return instrument(loader, className, location.path, bytes);
        } catch (Throwable t) {
            failures.incrementAndGet();
            return null;
        }
    }

    byte[] instrument(ClassLoader loader, String className, String unit, byte[] bytes) {
        ClassFileProbes.Parsed parsed = ClassFileProbes.parse(bytes);
        if (parsed == null) {
            return instrumentWithAsm(loader, className, unit, bytes);
        }
        jdbc.noteType(className, parsed.superName, parsed.interfaces);
        if (parsed.isModule()) {
            return null;
        }
        int id = inventory.existingId(loader, className);
        boolean known = id >= 0;
        if (!known) {
            if (parsed.names.length == 0) {
                inventory.addWithoutCode(className, unit);
                return null;
            }
            id = inventory.reserveId();
            if (id < 0) {
                return null; // over capacity: counted by the inventory, reported as a notice
            }
        }
        byte[] out = ClassFileProbes.insert(parsed, id);
        if (out == null) {
            return rewriteWithAsm(loader, className, unit, bytes, new ClassReader(bytes), id, known);
        }
        if (!known) {
            inventory.add(id, loader, className, unit, parsed.names, parsed.sigs, new boolean[parsed.names.length]);
        }
        return out;
    }

    /** The same with ASM: for class files the byte-level pass leaves alone (attributes it does not know, limits). */
    byte[] instrumentWithAsm(ClassLoader loader, String className, String unit, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        jdbc.noteType(className, reader.getSuperName(), reader.getInterfaces());
        if ((reader.getAccess() & Opcodes.ACC_MODULE) != 0) {
            return null;
        }
        int id = inventory.existingId(loader, className);
        boolean known = id >= 0;
        if (!known) {
            id = inventory.reserveId();
            if (id < 0) {
                return null; // over capacity: counted by the inventory, reported as a notice
            }
        }
        return rewriteWithAsm(loader, className, unit, bytes, reader, id, known);
    }

    private byte[] rewriteWithAsm(
            ClassLoader loader,
            String className,
            String unit,
            byte[] bytes,
            ClassReader reader,
            int id,
            boolean known) {
        ClassWriter writer = new ClassWriter(reader, 0);
        ProbeInserter inserter = new ProbeInserter(writer, id);
        reader.accept(inserter, 0);
        if (inserter.names.isEmpty()) {
            if (!known) {
                inventory.addWithoutCode(className, unit);
            }
            return null;
        }
        byte[] out;
        try {
            out = writer.toByteArray();
        } catch (RuntimeException tooBig) {
            // MethodTooLargeException / ClassTooLargeException: the probes pushed it past a limit.
            synchronized (tooLarge) {
                tooLarge.add(className.replace('/', '.'));
            }
            return null;
        }
        if (!known) {
            inventory.add(
                    id,
                    loader,
                    className,
                    unit,
                    inserter.names.toArray(new String[0]),
                    inserter.sigs.toArray(new String[0]),
                    new boolean[inserter.names.size()]);
        }
        return out;
    }

    /** Class names (dotted) left untransformed because they would grow past a class file limit; cleared. */
    List<String> drainTooLarge() {
        synchronized (tooLarge) {
            List<String> copy = new ArrayList<>(tooLarge);
            tooLarge.clear();
            return copy;
        }
    }

    long failures() {
        return failures.get();
    }

    /** Adds the probe to each method with code, numbering them in class-file order. */
    private static final class ProbeInserter extends ClassVisitor {
        private final int classId;
        final List<String> names = new ArrayList<>();
        final List<String> sigs = new ArrayList<>();

        ProbeInserter(ClassVisitor next, int classId) {
            super(ASM_API, next);
            this.classId = classId;
        }

        @Override
        public MethodVisitor visitMethod(
                int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || mv == null) {
                return mv;
            }
            int index = names.size();
            names.add(name);
            sigs.add(descriptor);
            return new EntryProbe(mv, classId, index);
        }
    }

    private static final class EntryProbe extends MethodVisitor {
        private final int classId;
        private final int index;

        EntryProbe(MethodVisitor next, int classId, int index) {
            super(ASM_API, next);
            this.classId = classId;
            this.index = index;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            // Probes.ARRAYS[classId][index] = true. Before a constructor's super() call too:
            // it touches neither `this` nor the locals.
            super.visitFieldInsn(Opcodes.GETSTATIC, PROBES, "ARRAYS", "[[Z");
            push(classId);
            super.visitInsn(Opcodes.AALOAD);
            push(index);
            super.visitInsn(Opcodes.ICONST_1);
            super.visitInsn(Opcodes.BASTORE);
        }

        private void push(int value) {
            if (value >= -1 && value <= 5) {
                super.visitInsn(Opcodes.ICONST_0 + value);
            } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
                super.visitIntInsn(Opcodes.BIPUSH, value);
            } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
                super.visitIntInsn(Opcodes.SIPUSH, value);
            } else {
                super.visitLdcInsn(value);
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            // The probe needs three slots on an otherwise empty stack.
            super.visitMaxs(Math.max(maxStack, 3), maxLocals);
        }
    }
}
