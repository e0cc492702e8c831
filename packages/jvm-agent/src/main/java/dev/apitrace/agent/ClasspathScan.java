package dev.apitrace.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
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
 * (BOOT-INF/lib), each with its Maven coordinates, its manifest's identity attributes and
 * the names of its class files.
 *
 * <p>{@link #scan} lists them (names only, cheap) on an agent thread after start-up, or
 * at exit if the process ends first. {@link #writeUnloaded} runs at exit: it reports the
 * sources nothing was loaded from, and reads the methods of the classes that were never
 * loaded (class file headers only, code skipped), so the cost is paid once and only for
 * classes the application did not load itself.
 */
final class ClasspathScan {
    static final class Source {
        final CodeSourceLocation location;
        final MavenMetadata.Found metadata;
        /** Class file entries: relative paths in a directory, entry names in a jar. */
        final List<String> classFiles = new ArrayList<>();
        /** Prefix of class files that is not part of the class name (BOOT-INF/classes/). */
        final String classPrefix;

        Source(CodeSourceLocation location, MavenMetadata.Found metadata, String classPrefix) {
            this.location = location;
            this.metadata = metadata;
            this.classPrefix = classPrefix;
        }

        String className(String classFile) {
            String n = classFile.startsWith(classPrefix) ? classFile.substring(classPrefix.length()) : classFile;
            return n.substring(0, n.length() - ".class".length())
                    .replace('/', '.')
                    .replace(File.separatorChar, '.');
        }
    }

    /** Methods with code of one class file, as the inventory lists them. */
    static final class Methods {
        final List<String> names = new ArrayList<>();
        final List<String> sigs = new ArrayList<>();
    }

    private ClasspathScan() {}

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

    private static boolean isClassFile(String name) {
        return name.endsWith(".class")
                && !name.startsWith("META-INF/")
                && !name.endsWith("module-info.class")
                && !name.endsWith("package-info.class");
    }

    private static Source scanDirectory(Path dir) throws IOException {
        CodeSourceLocation location = new CodeSourceLocation(dir.toString(), null, dir.toString(), null);
        Source source = new Source(location, MavenMetadata.read(location), "");
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(new java.util.function.Consumer<Path>() {
                @Override
                public void accept(Path f) {
                    String rel = dir.relativize(f).toString();
                    if (isClassFile(rel)) {
                        source.classFiles.add(rel);
                    }
                }
            });
        }
        return source;
    }

    private static void scanJar(Path jar, List<Source> sources, List<Path> queue) throws IOException {
        CodeSourceLocation location = new CodeSourceLocation(jar.toString(), null, jar.toString(), null);
        try (JarFile zip = new JarFile(jar.toFile(), false, ZipFile.OPEN_READ)) {
            Source source = new Source(location, MavenMetadata.read(location), "");
            sources.add(source);
            // A Spring Boot jar: its application classes load from .../app.jar!/BOOT-INF/classes.
            Source bootClasses = null;
            if (zip.getEntry("BOOT-INF/classes/") != null) {
                String path = jar + "!/BOOT-INF/classes";
                bootClasses = new Source(
                        new CodeSourceLocation(path, "jar:nested:" + jar + "/!BOOT-INF/classes/", jar.toString(), null),
                        new MavenMetadata.Found(),
                        "BOOT-INF/classes/");
                sources.add(bootClasses);
            }
            Manifest manifest = zip.getManifest();
            String classPath =
                    manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                for (String ref : classPath.trim().split("\\s+")) {
                    try {
                        queue.add(
                                Paths.get(jar.getParent().toUri().resolve(ref)).normalize());
                    } catch (RuntimeException e) {
                        // Not a file reference.
                    }
                }
            }
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
                    sources.add(scanNestedJar(zip, zip.getEntry(name), jar.toString()));
                } else if (bootClasses != null && name.startsWith(bootClasses.classPrefix) && isClassFile(name)) {
                    bootClasses.classFiles.add(name);
                } else if (isClassFile(name)) {
                    source.classFiles.add(name);
                }
            }
        }
    }

    private static Source scanNestedJar(ZipFile outer, ZipEntry entry, String outerPath) throws IOException {
        String url = "jar:nested:" + outerPath + "/!" + entry.getName() + "!/";
        CodeSourceLocation location =
                new CodeSourceLocation(outerPath + "!/" + entry.getName(), url, outerPath, entry.getName());
        Source source = new Source(location, MavenMetadata.read(location), "");
        try (ZipInputStream in = new ZipInputStream(outer.getInputStream(entry))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (isClassFile(e.getName())) {
                    source.classFiles.add(e.getName());
                }
            }
        }
        return source;
    }

    /** The methods with code of a class file, from its header (code not read). */
    static Methods methods(byte[] bytes) {
        Methods m = new Methods();
        ClassFileProbes.Parsed parsed = ClassFileProbes.parse(bytes);
        if (parsed != null) {
            java.util.Collections.addAll(m.names, parsed.names);
            java.util.Collections.addAll(m.sigs, parsed.sigs);
            return m;
        }
        new ClassReader(bytes)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
                                    m.names.add(name);
                                    m.sigs.add(descriptor);
                                }
                                return null;
                            }
                        },
                        ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return m;
    }

    /** code_unit (scan, loaded false) for sources nothing was loaded from; function_inventory (loaded false) for classes never loaded. */
    static void writeUnloaded(
            List<Source> sources, CodeUnits units, ClassInventory inventory, EventWriter writer, long t) {
        for (Source s : sources) {
            if (!units.isLoaded(s.location.path)) {
                writer.codeUnit(
                        t, s.location.path, s.location.url, "scan", false, s.metadata.maven, s.metadata.manifest);
            }
        }
        for (Source s : sources) {
            Set<String> unloaded = new HashSet<>();
            for (String f : s.classFiles) {
                if (!inventory.isLoaded(s.location.path, s.className(f))) {
                    unloaded.add(f);
                }
            }
            if (!unloaded.isEmpty()) {
                try {
                    readClasses(s, unloaded, writer, t);
                } catch (IOException | RuntimeException e) {
                    // Gone or unreadable since the scan: its classes stay unlisted.
                }
            }
        }
    }

    private static void readClasses(Source s, Set<String> classFiles, EventWriter writer, long t) throws IOException {
        String file = s.location.file;
        if (s.location.entry != null) {
            try (ZipFile outer = new ZipFile(s.location.file)) {
                ZipEntry nested = outer.getEntry(s.location.entry);
                try (ZipInputStream in = new ZipInputStream(outer.getInputStream(nested))) {
                    ZipEntry e;
                    while ((e = in.getNextEntry()) != null) {
                        if (classFiles.contains(e.getName())) {
                            write(s, e.getName(), in.readAllBytes(), writer, t);
                        }
                    }
                }
            }
        } else if (Files.isDirectory(Paths.get(file))) {
            for (String f : classFiles) {
                write(s, f, Files.readAllBytes(Paths.get(file, f)), writer, t);
            }
        } else {
            try (ZipFile zip = new ZipFile(file)) {
                for (String f : classFiles) {
                    ZipEntry e = zip.getEntry(f);
                    if (e != null) {
                        try (InputStream in = zip.getInputStream(e)) {
                            write(s, f, in.readAllBytes(), writer, t);
                        }
                    }
                }
            }
        }
    }

    private static void write(Source s, String classFile, byte[] bytes, EventWriter writer, long t) {
        Methods m;
        try {
            m = methods(bytes);
        } catch (RuntimeException notAClass) {
            return;
        }
        writer.functionInventory(
                t,
                s.location.path,
                s.className(classFile),
                false,
                m.names.toArray(new String[0]),
                m.sigs.toArray(new String[0]),
                null);
    }
}
