package dev.apitrace.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Start-up of an application that loads many classes: loads (without initialising) every
 * class of the library jars on the class path (Guava, Jackson, H2, commons-lang3, ...),
 * then prints how many classes the JVM loaded in all: {@code loaded=<n>}.
 */
public final class StartupWorkload {
    private StartupWorkload() {}

    public static void main(String[] args) throws Exception {
        ClassLoader loader = StartupWorkload.class.getClassLoader();
        int failed = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || entry.contains("jvm-bench")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (!name.endsWith(".class")
                            || name.startsWith("META-INF/")
                            || name.endsWith("module-info.class")) {
                        continue;
                    }
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        failed++; // optional dependencies of the library that are not on the class path
                    }
                }
            }
        }
        System.out.println(
                "loaded=" + ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() + " failed=" + failed);
    }
}
