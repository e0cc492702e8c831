package dev.apitrace.agent;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build put things, found without relying on the working directory. */
final class TestPaths {
    private TestPaths() {}

    /** packages/jvm-agent: Surefire sets basedir; otherwise two levels above target/test-classes. */
    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        if (basedir != null && !basedir.isEmpty()) {
            return Paths.get(basedir);
        }
        return codeSource(TestPaths.class).getParent().getParent();
    }

    /** The classes directory (or jar) a class was loaded from. */
    static Path codeSource(Class<?> type) {
        try {
            return Paths.get(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
