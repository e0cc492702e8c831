package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

/**
 * {@link BootstrapRuntime#CLASSES} is exactly the set of agent classes that code running in JDK
 * classes can reach, found from the compiled agent rather than kept by hand a second time:
 * the agent classes named in the bodies of Byte Buddy advice methods (inlined into the hooked
 * JDK methods), the agent classes whose internal names the agent writes into transformed
 * bytecode (string constants such as the probe array's owner), and, since a class the bootstrap
 * loader defines resolves its references through that loader only, every agent class those
 * refer to in turn.
 */
class BootstrapRuntimeTest {
    private static final String AGENT = "dev/apitrace/agent/";
    private static final String ADVICE_ENTER = "Lnet/bytebuddy/asm/Advice$OnMethodEnter;";
    private static final String ADVICE_EXIT = "Lnet/bytebuddy/asm/Advice$OnMethodExit;";

    /** Internal name to class bytes, for every class the agent's main build compiled. */
    private static Map<String, byte[]> agentClasses() throws IOException {
        Path classes = TestPaths.codeSource(BootstrapRuntime.class);
        assertTrue(Files.isDirectory(classes), "the agent's classes are a directory here: " + classes);
        Map<String, byte[]> found = new HashMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String name = classes.relativize(p).toString().replace('\\', '/');
                try {
                    found.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return found;
    }

    /** Agent classes reached from the JDK directly: advice bodies and names written into bytecode. */
    private static Set<String> roots(Map<String, byte[]> classes) {
        Set<String> roots = new TreeSet<>();
        for (byte[] bytes : classes.values()) {
            new ClassReader(bytes)
                    .accept(
                            new ClassVisitor(Opcodes.ASM9) {
                                @Override
                                public MethodVisitor visitMethod(
                                        int access,
                                        String name,
                                        String descriptor,
                                        String signature,
                                        String[] exceptions) {
                                    return new InjectedReferences(classes.keySet(), roots);
                                }
                            },
                            ClassReader.SKIP_DEBUG);
        }
        return roots;
    }

    /** Everything agent classes reachable from {@code roots} refer to, the roots included. */
    private static Set<String> closure(Map<String, byte[]> classes, Set<String> roots) {
        Set<String> seen = new TreeSet<>(roots);
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            byte[] bytes = classes.get(todo.pop());
            if (bytes == null) {
                continue;
            }
            Set<String> referenced = new TreeSet<>();
            new ClassReader(bytes)
                    .accept(
                            new ClassRemapper(new ClassVisitor(Opcodes.ASM9) {}, new Remapper() {
                                @Override
                                public String map(String internalName) {
                                    if (internalName.startsWith(AGENT)) {
                                        referenced.add(internalName);
                                    }
                                    return internalName;
                                }
                            }),
                            0);
            for (String r : referenced) {
                if (seen.add(r)) {
                    todo.push(r);
                }
            }
        }
        return seen;
    }

    private static Set<String> listed() {
        Set<String> listed = new TreeSet<>();
        for (String file : BootstrapRuntime.CLASSES) {
            assertTrue(file.endsWith(".class"), file);
            listed.add(file.substring(0, file.length() - ".class".length()));
        }
        return listed;
    }

    @Test
    void listsExactlyTheClassesCodeInJdkClassesCanReach() throws IOException {
        Map<String, byte[]> classes = agentClasses();
        Set<String> roots = roots(classes);
        assertFalse(roots.isEmpty(), "no advice or injected reference found: the scan itself is broken");
        Set<String> required = closure(classes, roots);
        Set<String> listed = listed();

        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(listed);
        Set<String> unneeded = new TreeSet<>(listed);
        unneeded.removeAll(required);
        Set<String> gone = new TreeSet<>(listed);
        gone.removeAll(classes.keySet());
        assertEquals(Set.of(), gone, "listed in BootstrapRuntime.CLASSES but not built");
        assertEquals(Set.of(), missing, "reached from JDK classes but not in BootstrapRuntime.CLASSES");
        assertEquals(Set.of(), unneeded, "in BootstrapRuntime.CLASSES but not reached from JDK classes");
    }

    /** The scan sees what it is meant to: the advice's dispatcher and the probe arrays' owner. */
    @Test
    void findsTheDispatcherAndTheProbeArrays() throws IOException {
        Set<String> roots = roots(agentClasses());
        assertTrue(roots.contains(AGENT + "rt/Dispatch"), roots.toString());
        assertTrue(roots.contains(AGENT + "rt/Probes"), roots.toString());
    }

    /**
     * Collects, from one method, the agent classes named in its body when it is advice, and the
     * agent class names it holds as string constants (written into other classes' bytecode).
     */
    private static final class InjectedReferences extends MethodVisitor {
        private final Set<String> agentClassNames;
        private final Set<String> out;
        private boolean advice;

        InjectedReferences(Set<String> agentClassNames, Set<String> out) {
            super(Opcodes.ASM9);
            this.agentClassNames = agentClassNames;
            this.out = out;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            advice |= ADVICE_ENTER.equals(descriptor) || ADVICE_EXIT.equals(descriptor);
            return null;
        }

        private void type(Type t) {
            if (!advice) {
                return;
            }
            if (t.getSort() == Type.ARRAY) {
                t = t.getElementType();
            }
            if (t.getSort() == Type.OBJECT) {
                name(t.getInternalName());
            } else if (t.getSort() == Type.METHOD) {
                type(t.getReturnType());
                for (Type a : t.getArgumentTypes()) {
                    type(a);
                }
            }
        }

        private void name(String internalName) {
            if (advice && internalName.startsWith(AGENT)) {
                out.add(internalName);
            }
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            type(Type.getObjectType(type));
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            name(owner);
            type(Type.getType(descriptor));
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            type(Type.getObjectType(owner));
            type(Type.getMethodType(descriptor));
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... args) {
            type(Type.getMethodType(descriptor));
            name(bootstrap.getOwner());
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
            type(Type.getType(descriptor));
        }

        @Override
        public void visitTryCatchBlock(
                net.bytebuddy.jar.asm.Label start,
                net.bytebuddy.jar.asm.Label end,
                net.bytebuddy.jar.asm.Label handler,
                String type) {
            if (type != null) {
                type(Type.getObjectType(type));
            }
        }

        @Override
        public void visitLdcInsn(Object value) {
            if (value instanceof Type) {
                type((Type) value);
            } else if (value instanceof String
                    && agentClassNames.contains(value)
                    && ((String) value).startsWith(AGENT)) {
                out.add((String) value); // a class name the agent writes into a transformed class
            }
        }
    }
}
