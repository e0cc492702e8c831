package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apitrace.agent.rt.Probes;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe rewriting on real class files, loaded and run in a fresh class loader. */
class ProbeTransformerTest {
    private static final String POINT = "dev/apitrace/agent/testapp/ModernJava$Point";
    private static final String SHAPE = "dev/apitrace/agent/testapp/ModernJava$Shape";

    @TempDir
    Path dir;

    private final ClassInventory inventory = new ClassInventory();
    private final CodeUnits units = new CodeUnits();
    private final JdbcTypes jdbc = new JdbcTypes();
    private final ProbeTransformer transformer = new ProbeTransformer(inventory, units, jdbc, null, null);

    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in =
                ProbeTransformerTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines given class files itself (child first), everything else from the test's loader. */
    private static final class Isolated extends ClassLoader {
        private final java.util.Map<String, byte[]> own = new java.util.HashMap<>();
        private final ProtectionDomain domain;

        Isolated(ProtectionDomain domain) {
            super(ProbeTransformerTest.class.getClassLoader());
            this.domain = domain;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                byte[] b = own.get(name);
                if (b != null) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : defineClass(name, b, 0, b.length, domain);
                }
                return super.loadClass(name, resolve);
            }
        }
    }

    private ProtectionDomain domain() throws IOException {
        return new ProtectionDomain(new CodeSource(new URL("file:" + dir + "/"), (Certificate[]) null), null);
    }

    @Test
    void probesMarkExactlyTheMethodsThatRan() throws Exception {
        ProtectionDomain domain = domain();
        Isolated loader = new Isolated(domain);
        byte[] out = transformer.transform(loader, POINT, null, domain, classFile(POINT));
        assertNotNull(out);
        loader.own.put(POINT.replace('/', '.'), out);
        Class<?> point = loader.loadClass(POINT.replace('/', '.'));
        Object p = point.getConstructor(int.class, int.class).newInstance(3, 4);
        Method sum = point.getDeclaredMethod("sum");
        sum.setAccessible(true);
        assertEquals(7, sum.invoke(p));

        EventWriter writer = EventWriter.create(dir, 7);
        inventory.writeChanged(writer, 1);
        writer.close();
        List<String> lines = Files.readAllLines(writer.file());
        assertEquals(1, lines.size());
        JsonNode record = new ObjectMapper().readTree(lines.get(0));
        assertEquals(List.of(), EventSchema.problems(record), lines.get(0));
        assertEquals(dir.toString(), record.get("unit").asText());
        assertEquals(
                "dev.apitrace.agent.testapp.ModernJava$Point",
                record.get("scope").asText());
        List<String> ran = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (JsonNode f : record.get("functions")) {
            all.add(f.get("name").asText() + f.get("sig").asText());
            if (f.get("ran").asBoolean()) {
                ran.add(f.get("name").asText());
            }
        }
        assertEquals(List.of("<init>", "sum"), ran);
        assertTrue(all.containsAll(List.of("x()I", "y()I", "toString()Ljava/lang/String;")), all::toString);
        assertEquals(1, units.isLoaded(dir.toString()) ? 1 : 0);
    }

    @Test
    void noMemberOrSignatureChanges() throws Exception {
        ProtectionDomain domain = domain();
        byte[] in = classFile(POINT);
        byte[] out = transformer.transform(new Isolated(domain), POINT, null, domain, in);
        assertEquals(members(in), members(out));
        byte[] iface = classFile(SHAPE);
        byte[] ifaceOut = transformer.transform(new Isolated(domain), SHAPE, null, domain, iface);
        assertNotNull(ifaceOut, "default and static interface methods get probes");
        assertEquals(members(iface), members(ifaceOut));
    }

    @Test
    void retransformingKeepsTheClassIdAndItsArray() throws Exception {
        ProtectionDomain domain = domain();
        Isolated loader = new Isolated(domain);
        byte[] first = transformer.transform(loader, POINT, null, domain, classFile(POINT));
        byte[] again = transformer.transform(loader, POINT, null, domain, classFile(POINT));
        assertArrayEquals(first, again);
        assertEquals(inventory.existingId(loader, POINT), inventory.existingId(loader, POINT));
        assertNotNull(Probes.ARRAYS[inventory.existingId(loader, POINT)]);
    }

    @Test
    void aMethodPushedPast64KbLeavesTheClassAsItWas() throws Exception {
        ProtectionDomain domain = domain();
        assertNull(transformer.transform(new Isolated(domain), "gen/Huge", null, domain, GeneratedClasses.huge(21843)));
        assertEquals(List.of("gen.Huge"), transformer.drainTooLarge());
        assertTrue(transformer.transform(new Isolated(domain), "gen/Small", null, domain, GeneratedClasses.huge(100))
                != null);
    }

    @Test
    void leavesTheJdkNamelessAndSourcelessClassesAlone() throws Exception {
        byte[] bytes = classFile(POINT);
        assertNull(transformer.transform(null, POINT, null, domain(), bytes));
        assertNull(transformer.transform(ClassLoader.getPlatformClassLoader(), POINT, null, domain(), bytes));
        assertNull(transformer.transform(new Isolated(null), null, null, domain(), bytes));
        assertNull(transformer.transform(new Isolated(null), POINT, null, new ProtectionDomain(null, null), bytes));
        assertNull(transformer.transform(new Isolated(null), "a/B$$Lambda$1", null, domain(), bytes));
    }

    @Test
    void learnsJdbcImplementationsFromClassHeaders() {
        jdbc.noteType("org/h2/jdbc/JdbcStatement", "org/h2/message/TraceObject", new String[] {"java/sql/Statement"});
        jdbc.noteType("org/h2/jdbc/JdbcPreparedStatement", "org/h2/jdbc/JdbcStatement", new String[] {
            "java/sql/PreparedStatement"
        });
        jdbc.noteType("org/h2/jdbc/JdbcConnection", "org/h2/message/TraceObject", new String[] {
            "java/sql/Connection", "java/lang/AutoCloseable"
        });
        jdbc.noteType("org/h2/Other", "java/lang/Object", new String[0]);
        assertTrue(jdbc.isStatement("org.h2.jdbc.JdbcPreparedStatement"));
        assertTrue(jdbc.isConnection("org.h2.jdbc.JdbcConnection"));
        assertTrue(!jdbc.isStatement("org.h2.Other") && !jdbc.isConnection("org.h2.jdbc.JdbcStatement"));
    }

    /** Fields and methods with access flags and descriptors, in order: the class's shape. */
    private static List<String> members(byte[] bytes) {
        List<String> out = new ArrayList<>();
        ClassReader reader = new ClassReader(bytes);
        out.add("class " + reader.getAccess() + " " + reader.getSuperName() + " "
                + Arrays.toString(reader.getInterfaces()));
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public FieldVisitor visitField(
                            int access, String name, String descriptor, String signature, Object value) {
                        out.add("field " + access + " " + name + descriptor);
                        return null;
                    }

                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        out.add("method " + access + " " + name + descriptor);
                        return null;
                    }
                },
                ClassReader.SKIP_CODE);
        return out;
    }
}
