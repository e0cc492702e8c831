package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.TypePath;
import org.junit.jupiter.api.Test;

/**
 * The byte-level probe pass on every class of a real library (Jackson databind, with
 * switches, exception handlers, stack map frames, constructors building arguments before
 * super()) and a class with type annotations in its code: each method is the probe followed by exactly the original
 * code, as ASM reads both, and each rewritten class links (the JVM verifies it) exactly
 * when the original does.
 */
class ClassFileProbesTest {
    private static final String[] PROBE_SMALL_ID = {"GETSTATIC dev/apitrace/agent/rt/Probes.ARRAYS [[Z", "SIPUSH"};
    private static final String[] PROBE_LARGE_ID = {"GETSTATIC dev/apitrace/agent/rt/Probes.ARRAYS [[Z", "LDC 40000"};

    @Test
    void everyMethodIsTheProbeThenTheOriginalCodeAndEveryClassStillLinks() throws Exception {
        Path jar = Paths.get(ObjectMapper.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Map<String, byte[]> originals = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                    try (InputStream in = file.getInputStream(e)) {
                        originals.put(name.substring(0, name.length() - ".class".length()), in.readAllBytes());
                    }
                }
            }
        }
        assertTrue(originals.size() > 500, "read " + originals.size() + " classes");
        String typeAnnotated = "dev/apitrace/agent/testapp/TypeAnnotated";
        try (InputStream in =
                ClassFileProbesTest.class.getClassLoader().getResourceAsStream(typeAnnotated + ".class")) {
            originals.put(typeAnnotated, in.readAllBytes());
        }
        Map<String, byte[]> rewritten = new HashMap<>();
        int n = 0;
        int withTypeAnnotations = 0;
        for (Map.Entry<String, byte[]> e : originals.entrySet()) {
            ClassFileProbes.Parsed parsed = ClassFileProbes.parse(e.getValue());
            assertNotNull(parsed, e.getKey());
            Map<String, List<String>> before = code(e.getValue());
            assertEquals(new ArrayList<>(before.keySet()), signatures(parsed), e.getKey());
            if (parsed.names.length == 0) {
                rewritten.put(e.getKey(), e.getValue()); // nothing to probe: defined as it is
                continue;
            }
            boolean large = n++ % 2 == 0;
            byte[] out = ClassFileProbes.insert(parsed, large ? 40000 : n);
            assertNotNull(out, e.getKey());
            rewritten.put(e.getKey(), out);
            Map<String, List<String>> after = code(out);
            assertEquals(before.keySet(), after.keySet(), e.getKey());
            int index = 0;
            for (Map.Entry<String, List<String>> m : before.entrySet()) {
                List<String> probed = new ArrayList<>(after.get(m.getKey()));
                // The exception table (and its type annotations) is listed first, then the code: the probe is its first
                // instruction.
                int at = 0;
                while (probed.get(at).startsWith("TRY ") || probed.get(at).startsWith("TYPE-ANNOTATION catch")) {
                    at++;
                }
                String[] probe = large ? PROBE_LARGE_ID : PROBE_SMALL_ID;
                assertTrue(
                        probed.get(at).equals(probe[0]) && probed.get(at + 1).startsWith(probe[1]),
                        e.getKey() + " " + probed);
                assertEquals(
                        List.of("AALOAD", "SIPUSH " + index, "ICONST_1", "BASTORE"),
                        probed.subList(at + 2, at + 6),
                        e.getKey());
                probed.subList(at, at + 6).clear();
                assertEquals(m.getValue(), probed, e.getKey() + "." + m.getKey());
                withTypeAnnotations += m.getValue().stream().anyMatch(s -> s.startsWith("TYPE-ANNOTATION")) ? 1 : 0;
                index++;
            }
        }
        assertTrue(withTypeAnnotations > 0, "some methods carry type annotations on their code");
        assertEquals("ok", links(rewritten, List.of(typeAnnotated)).get(typeAnnotated));
        Map<String, String> asTheyWere = links(originals, originals.keySet());
        Map<String, String> probed = links(rewritten, originals.keySet());
        List<String> differ = new ArrayList<>();
        for (String name : originals.keySet()) {
            if (!asTheyWere.get(name).equals(probed.get(name))) {
                differ.add(name + ": " + asTheyWere.get(name) + " before, " + probed.get(name) + " with probes");
            }
        }
        assertEquals(List.of(), differ);
        assertTrue(asTheyWere.values().stream().filter("ok"::equals).count() > 500, asTheyWere::toString);
    }

    /** What linking each class (which verifies it) ends in: "ok" or the error's class. */
    private static Map<String, String> links(Map<String, byte[]> classes, Iterable<String> names) {
        ClassLoader loader = new ClassLoader(ClassFileProbesTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    byte[] b = classes.get(name.replace('.', '/'));
                    if (b == null) {
                        return super.loadClass(name, resolve);
                    }
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : defineClass(name, b, 0, b.length);
                }
            }
        };
        Map<String, String> outcome = new LinkedHashMap<>();
        for (String name : names) {
            try {
                // getDeclaredMethods links the class: the verifier runs, static initialisers do not.
                Class.forName(name.replace('/', '.'), false, loader).getDeclaredMethods();
                outcome.put(name, "ok");
            } catch (Throwable t) {
                outcome.put(name, t.getClass().getName());
            }
        }
        return outcome;
    }

    private static List<String> signatures(ClassFileProbes.Parsed parsed) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parsed.names.length; i++) {
            out.add(parsed.names[i] + parsed.sigs[i]);
        }
        return out;
    }

    /** Per method with code, in order: its instructions, handlers, frames, lines, locals and type annotations, labels by order of appearance. */
    private static Map<String, List<String>> code(byte[] bytes) {
        Map<String, List<String>> methods = new LinkedHashMap<>();
        new ClassReader(bytes)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                                    return null;
                                }
                                List<String> out = new ArrayList<>();
                                methods.put(name + descriptor, out);
                                return new Listing(out);
                            }
                        },
                        ClassReader.EXPAND_FRAMES);
        return methods;
    }

    private static final class Listing extends MethodVisitor {
        private final List<String> out;
        private final Map<Label, Integer> labels = new IdentityHashMap<>();

        Listing(List<String> out) {
            super(Opcodes.ASM9);
            this.out = out;
        }

        private String l(Label label) {
            return "L" + labels.computeIfAbsent(label, k -> labels.size());
        }

        private String op(int opcode) {
            return OPCODES.getOrDefault(opcode, String.valueOf(opcode));
        }

        @Override
        public void visitInsn(int opcode) {
            out.add(op(opcode));
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            out.add(op(opcode) + " " + operand);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            out.add(op(opcode) + " " + var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            out.add(op(opcode) + " " + type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            out.add(op(opcode) + " " + owner + "." + name + " " + descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            out.add(op(opcode) + " " + owner + "." + name + descriptor);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            out.add("INVOKEDYNAMIC " + name + descriptor + " " + bootstrap + " " + Arrays.toString(arguments));
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            out.add(op(opcode) + " " + l(label));
        }

        @Override
        public void visitLabel(Label label) {
            out.add(l(label) + ":");
        }

        @Override
        public void visitLdcInsn(Object value) {
            out.add("LDC " + value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            out.add("IINC " + var + " " + increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... targets) {
            StringBuilder s = new StringBuilder("TABLESWITCH " + min + " " + max + " " + l(dflt));
            for (Label t : targets) {
                s.append(' ').append(l(t));
            }
            out.add(s.toString());
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] targets) {
            StringBuilder s = new StringBuilder("LOOKUPSWITCH " + l(dflt) + " " + Arrays.toString(keys));
            for (Label t : targets) {
                s.append(' ').append(l(t));
            }
            out.add(s.toString());
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            out.add("MULTIANEWARRAY " + descriptor + " " + numDimensions);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            out.add("TRY " + l(start) + " " + l(end) + " " + l(handler) + " " + type);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            out.add("FRAME " + frameTypes(local, numLocal) + " " + frameTypes(stack, numStack));
        }

        private String frameTypes(Object[] types, int n) {
            List<String> s = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                s.add(types[i] instanceof Label ? "uninitialized " + l((Label) types[i]) : String.valueOf(types[i]));
            }
            return s.toString();
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            out.add("LINE " + line + " " + l(start));
        }

        @Override
        public void visitLocalVariable(
                String name, String descriptor, String signature, Label start, Label end, int index) {
            out.add("LOCAL " + name + " " + descriptor + " " + l(start) + " " + l(end) + " " + index);
        }

        @Override
        public AnnotationVisitor visitInsnAnnotation(
                int typeRef, TypePath typePath, String descriptor, boolean visible) {
            out.add("TYPE-ANNOTATION insn " + typeRef + " " + typePath + " " + descriptor + " " + visible + " after "
                    + out.get(out.size() - 1));
            return null;
        }

        @Override
        public AnnotationVisitor visitTryCatchAnnotation(
                int typeRef, TypePath typePath, String descriptor, boolean visible) {
            out.add("TYPE-ANNOTATION catch " + typeRef + " " + typePath + " " + descriptor + " " + visible);
            return null;
        }

        @Override
        public AnnotationVisitor visitLocalVariableAnnotation(
                int typeRef,
                TypePath typePath,
                Label[] start,
                Label[] end,
                int[] index,
                String descriptor,
                boolean visible) {
            StringBuilder s = new StringBuilder(
                    "TYPE-ANNOTATION local " + typeRef + " " + typePath + " " + descriptor + " " + visible);
            for (int i = 0; i < start.length; i++) {
                s.append(' ')
                        .append(l(start[i]))
                        .append('-')
                        .append(l(end[i]))
                        .append('@')
                        .append(index[i]);
            }
            out.add(s.toString());
            return null;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            out.add("MAXLOCALS " + maxLocals);
        }
    }

    /** Opcode names by value, from ASM's own constants. */
    private static final Map<Integer, String> OPCODES = new HashMap<>();

    static {
        String[] names = {
            "NOP",
            "ACONST_NULL",
            "ICONST_M1",
            "ICONST_0",
            "ICONST_1",
            "ICONST_2",
            "ICONST_3",
            "ICONST_4",
            "ICONST_5",
            "LCONST_0",
            "LCONST_1",
            "FCONST_0",
            "FCONST_1",
            "FCONST_2",
            "DCONST_0",
            "DCONST_1",
            "BIPUSH",
            "SIPUSH"
        };
        for (int i = 0; i < names.length; i++) {
            OPCODES.put(i, names[i]);
        }
        OPCODES.put(Opcodes.AALOAD, "AALOAD");
        OPCODES.put(Opcodes.BASTORE, "BASTORE");
        OPCODES.put(Opcodes.GETSTATIC, "GETSTATIC");
    }
}
