package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CodeSourceLocationTest {
    @Test
    void plainJarsAndDirectoriesArePathsWithoutUrl() {
        CodeSourceLocation jar = CodeSourceLocation.parse("file:/srv/app/lib/guava%2033.jar");
        assertEquals("/srv/app/lib/guava 33.jar", jar.path);
        assertNull(jar.url);
        assertNull(jar.entry);
        assertEquals("/srv/app/classes", CodeSourceLocation.parse("file:/srv/app/classes/").path);
    }

    @Test
    void springBootNestedJarsInBothUrlForms() {
        String nested = "jar:nested:/srv/app.jar/!BOOT-INF/lib/guava-33.3.1-jre.jar!/";
        CodeSourceLocation a = CodeSourceLocation.parse(nested);
        assertEquals("/srv/app.jar!/BOOT-INF/lib/guava-33.3.1-jre.jar", a.path);
        assertEquals(nested, a.url);
        assertEquals("/srv/app.jar", a.file);
        assertEquals("BOOT-INF/lib/guava-33.3.1-jre.jar", a.entry);

        CodeSourceLocation b = CodeSourceLocation.parse("jar:file:/srv/app.jar!/BOOT-INF/lib/guava-33.3.1-jre.jar!/");
        assertEquals(a.path, b.path);
        assertEquals(a.entry, b.entry);

        CodeSourceLocation classes = CodeSourceLocation.parse("nested:/srv/app.jar/!BOOT-INF/classes/");
        assertEquals("/srv/app.jar!/BOOT-INF/classes", classes.path);
        CodeSourceLocation whole = CodeSourceLocation.parse("jar:file:/srv/app.jar!/");
        assertEquals("/srv/app.jar", whole.path);
        assertNull(whole.entry);
    }

    @Test
    void theJdkIsNoCodeSourceAndOtherSchemesKeepTheirUrl() {
        assertNull(CodeSourceLocation.parse("jrt:/java.base"));
        assertEquals(
                "vfs:/content/app.war/WEB-INF/lib/x.jar",
                CodeSourceLocation.parse("vfs:/content/app.war/WEB-INF/lib/x.jar").path);
    }
}
