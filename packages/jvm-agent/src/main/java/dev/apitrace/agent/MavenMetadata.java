package dev.apitrace.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * What a code source says about its Maven identity: every
 * {@code META-INF/maven/<group>/<artifact>/pom.properties} in it, as {group, artifact, version}
 * (a plain jar has one; a shaded jar can have several or none; all are reported as found),
 * and for a jar the identity attributes of its manifest ({@link ManifestIdentity}). Reads
 * files, so it runs off the application's threads.
 */
final class MavenMetadata {
    private static final String PREFIX = "META-INF/maven/";

    /** What was found in one code source. */
    static final class Found {
        final List<String[]> maven = new ArrayList<>(1);
        /** code_unit manifest attributes; empty for a directory or a jar without a manifest */
        Map<String, String> manifest = Map.of();
    }

    private MavenMetadata() {}

    static Found read(CodeSourceLocation location) {
        Found found = new Found();
        try {
            if (location.file == null) {
                return found;
            }
            Path file = Paths.get(location.file);
            if (location.entry == null) {
                if (Files.isDirectory(file)) {
                    readDirectory(file.resolve(PREFIX), found.maven);
                } else if (Files.isRegularFile(file)) {
                    try (ZipFile zip = new ZipFile(file.toFile())) {
                        readZip(zip, "", found);
                    }
                }
            } else {
                try (ZipFile zip = new ZipFile(file.toFile())) {
                    ZipEntry nested = zip.getEntry(location.entry);
                    if (nested != null && !nested.isDirectory()) {
                        try (ZipInputStream in = new ZipInputStream(zip.getInputStream(nested))) {
                            readNestedJar(in, found);
                        }
                    } else {
                        readZip(zip, location.entry + "/", found);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // What could be read is reported; an unreadable source has no coordinates.
        }
        found.maven.sort(Comparator.comparing((String[] g) -> g[0])
                .thenComparing(g -> g[1])
                .thenComparing(g -> g[2]));
        return found;
    }

    private static void readDirectory(Path maven, List<String[]> found) throws IOException {
        if (!Files.isDirectory(maven)) {
            return;
        }
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(maven)) {
            for (Path group : groups) {
                if (!Files.isDirectory(group)) {
                    continue;
                }
                try (DirectoryStream<Path> artifacts = Files.newDirectoryStream(group)) {
                    for (Path artifact : artifacts) {
                        Path props = artifact.resolve("pom.properties");
                        if (Files.isRegularFile(props)) {
                            try (InputStream in = Files.newInputStream(props)) {
                                add(in, found);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A jar, or with a base the directory {@code BOOT-INF/classes/} inside one (its manifest is not its own). */
    private static void readZip(ZipFile zip, String base, Found found) throws IOException {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String name = e.getName();
            if (name.startsWith(base) && isPomProperties(name.substring(base.length()))) {
                try (InputStream in = zip.getInputStream(e)) {
                    add(in, found.maven);
                }
            } else if (base.isEmpty() && name.equals(ManifestIdentity.ENTRY)) {
                try (InputStream in = zip.getInputStream(e)) {
                    found.manifest = ManifestIdentity.read(in);
                }
            }
        }
    }

    private static void readNestedJar(ZipInputStream in, Found found) throws IOException {
        ZipEntry e;
        while ((e = in.getNextEntry()) != null) {
            if (isPomProperties(e.getName())) {
                add(in, found.maven);
            } else if (e.getName().equals(ManifestIdentity.ENTRY)) {
                found.manifest = ManifestIdentity.read(in);
            }
        }
    }

    /** {@code META-INF/maven/<group>/<artifact>/pom.properties}, exactly that deep. */
    static boolean isPomProperties(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith("/pom.properties")) {
            return false;
        }
        String middle = name.substring(PREFIX.length(), name.length() - "/pom.properties".length());
        int slash = middle.indexOf('/');
        return slash > 0 && slash == middle.lastIndexOf('/') && slash < middle.length() - 1;
    }

    private static void add(InputStream in, List<String[]> found) throws IOException {
        Properties p = new Properties();
        p.load(new NonClosing(in));
        String g = p.getProperty("groupId");
        String a = p.getProperty("artifactId");
        String v = p.getProperty("version");
        if (g != null && a != null && v != null) {
            found.add(new String[] {g.trim(), a.trim(), v.trim()});
        }
    }

    /** Properties.load does not close, but be explicit: a ZipInputStream must stay open. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
