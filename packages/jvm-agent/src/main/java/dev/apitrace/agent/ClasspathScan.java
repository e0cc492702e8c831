package dev.apitrace.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * What is installed on the class path, loaded or not: every entry of java.class.path,
 * the jars their manifests' Class-Path names, and the nested jars of a Spring Boot jar
 * (BOOT-INF/lib). For each code source its Maven coordinates, and for each class in
 * it the methods with code, read from the class file headers (ASM, code skipped).
 *
 * <p>Runs once, on an agent thread after start-up (or at exit if the process ends
 * first). The records are written at exit, when it is known which sources and classes
 * were never loaded.
 */
final class ClasspathScan {
    static final class Source {
        final CodeSourceLocation location;
        final List<String[]> maven;
        final List<ScannedClass> classes = new ArrayList<>();

        Source(CodeSourceLocation location, List<String[]> maven) {
            this.location = location;
            this.maven = maven;
        }
    }

    static final class ScannedClass {
        final String name;
        final String[] names;
        final String[] sigs;

        ScannedClass(String name, String[] names, String[] sigs) {
            this.name = name;
            this.names = names;
            this.sigs = sigs;
        }
    }

    private ClasspathScan() {
    }

    static List<Source> scan(String classPath) {
        List<Source> sources = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Path> queue = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                queue.add(Paths.get(entry).toAbsolutePath().normalize());
            }
        }
        for (int i = 0; i < queue.size(); i++) {
            Path p = queue.get(i);
            if (!seen.add(p.toString())) {
                continue;
            }
            try {
                if (Files.isDirectory(p)) {
                    sources.add(scanDirectory(p));
                } else if (Files.isRegularFile(p)) {
                    scanJar(p, sources, queue);
                }
            } catch (IOException | RuntimeException e) {
                // An unreadable entry is as good as absent: the JVM could not load from it either.
            }
        }
        return sources;
    }

    private static Source scanDirectory(Path dir) throws IOException {
        CodeSourceLocation location = new CodeSourceLocation(dir.toString(), null, dir.toString(), null);
        Source source = new Source(location, MavenMetadata.read(location));
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                String rel = dir.relativize(f).toString();
                try (InputStream in = Files.newInputStream(f)) {
                    addClass(source, rel, in.readAllBytes());
                } catch (IOException | RuntimeException e) {
                    // Skip what cannot be read.
                }
            });
        }
        return source;
    }

    private static void scanJar(Path jar, List<Source> sources, List<Path> queue) throws IOException {
        CodeSourceLocation location = new CodeSourceLocation(jar.toString(), null, jar.toString(), null);
        Source source = new Source(location, MavenMetadata.read(location));
        sources.add(source);
        try (JarFile zip = new JarFile(jar.toFile(), false, ZipFile.OPEN_READ, JarFile.runtimeVersion())) {
            Manifest manifest = zip.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                for (String ref : classPath.trim().split("\\s+")) {
                    try {
                        Path target = Paths.get(jar.getParent().toUri().resolve(ref)).normalize();
                        queue.add(target);
                    } catch (RuntimeException e) {
                        // Not a file reference.
                    }
                }
            }
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
                    sources.add(scanNestedJar(zip, e, jar.toString()));
                } else if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    try (InputStream in = zip.getInputStream(e)) {
                        String rel = name.startsWith("BOOT-INF/classes/") ? name.substring("BOOT-INF/classes/".length()) : name;
                        addClass(source, rel, in.readAllBytes());
                    }
                }
            }
        }
    }

    private static Source scanNestedJar(ZipFile outer, ZipEntry entry, String outerPath) throws IOException {
        String url = "jar:nested:" + outerPath + "/!" + entry.getName() + "!/";
        CodeSourceLocation location = new CodeSourceLocation(outerPath + "!/" + entry.getName(), url, outerPath, entry.getName());
        Source source = new Source(location, MavenMetadata.read(location));
        try (ZipInputStream in = new ZipInputStream(outer.getInputStream(entry))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    addClass(source, e.getName(), in.readAllBytes());
                }
            }
        }
        return source;
    }

    private static void addClass(Source source, String relativePath, byte[] bytes) {
        if (relativePath.endsWith("module-info.class") || relativePath.endsWith("package-info.class")) {
            return;
        }
        ClassReader reader = new ClassReader(bytes);
        List<String> names = new ArrayList<>();
        List<String> sigs = new ArrayList<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
                    names.add(name);
                    sigs.add(descriptor);
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        source.classes.add(new ScannedClass(reader.getClassName().replace('/', '.'),
            names.toArray(new String[0]), sigs.toArray(new String[0])));
    }

    /** code_unit (scan, loaded false) for sources nothing was loaded from; function_inventory (loaded false) for classes never loaded. */
    static void writeUnloaded(List<Source> sources, CodeUnits units, ClassInventory inventory, EventWriter writer, long t) {
        for (Source s : sources) {
            if (!units.isLoaded(s.location.path)) {
                writer.codeUnit(t, s.location.path, s.location.url, "scan", false, s.maven);
            }
        }
        for (Source s : sources) {
            for (ScannedClass c : s.classes) {
                if (!inventory.isLoaded(s.location.path, c.name)) {
                    writer.functionInventory(t, s.location.path, c.name, false, c.names, c.sigs, null);
                }
            }
        }
    }
}
