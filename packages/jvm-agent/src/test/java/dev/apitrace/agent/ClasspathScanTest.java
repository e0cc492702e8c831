package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathScanTest {
    @TempDir
    Path dir;

    private static byte[] classFile(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void findsJarsTheirManifestClassPathAndNestedBootJars() throws IOException {
        byte[] early = classFile(dev.apitrace.agent.testapp.Early.class);
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Map<String, byte[]> dep = new LinkedHashMap<>();
        dep.put("META-INF/maven/com.example/dep/pom.properties", MavenMetadataTest.pom("com.example", "dep", "1.2"));
        dep.put("dev/apitrace/agent/testapp/Early.class", early);
        Files.write(lib.resolve("dep.jar"), MavenMetadataTest.zip(dep));

        Map<String, byte[]> inner = new LinkedHashMap<>();
        inner.put(
                "META-INF/maven/com.example/inner/pom.properties", MavenMetadataTest.pom("com.example", "inner", "3"));
        inner.put("dev/apitrace/agent/testapp/Early.class", early);
        Map<String, byte[]> main = new LinkedHashMap<>();
        main.put(
                "META-INF/MANIFEST.MF",
                "Manifest-Version: 1.0\r\nClass-Path: lib/dep.jar\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        main.put("BOOT-INF/lib/inner.jar", MavenMetadataTest.zip(inner));
        Path app = dir.resolve("app.jar");
        Files.write(app, MavenMetadataTest.zip(main));

        List<ClasspathScan.Source> sources =
                ClasspathScan.scan(app + java.io.File.pathSeparator + dir.resolve("missing.jar"));
        Map<String, ClasspathScan.Source> byPath =
                sources.stream().collect(Collectors.toMap(s -> s.location.path, s -> s));
        assertEquals(
                List.of(
                        app.toString(),
                        app + "!/BOOT-INF/lib/inner.jar",
                        lib.resolve("dep.jar").toString()),
                sources.stream().map(s -> s.location.path).collect(Collectors.toList()));
        ClasspathScan.Source nested = byPath.get(app + "!/BOOT-INF/lib/inner.jar");
        assertEquals("com.example", nested.metadata.maven.get(0)[0]);
        assertEquals("jar:nested:" + app + "/!BOOT-INF/lib/inner.jar!/", nested.location.url);
        ClasspathScan.Source dep1 = byPath.get(lib.resolve("dep.jar").toString());
        assertEquals("dep", dep1.metadata.maven.get(0)[1]);
        assertEquals(List.of("dev/apitrace/agent/testapp/Early.class"), dep1.classFiles);
        assertEquals("dev.apitrace.agent.testapp.Early", dep1.className(dep1.classFiles.get(0)));
        assertTrue(ClasspathScan.methods(early).names.containsAll(List.of("before", "after", "main")));
        assertEquals(List.of("dev/apitrace/agent/testapp/Early.class"), nested.classFiles);
    }
}
