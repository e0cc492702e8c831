package dev.apitrace.agent.testapp;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;

/** Loads gen.Huge (a method at the 64 KB limit) from the directory args[0] and runs it. */
public final class LoadsHuge {
    private LoadsHuge() {}

    public static void main(String[] args) throws Exception {
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {Paths.get(args[0]).toUri().toURL()}, LoadsHuge.class.getClassLoader())) {
            Class<?> huge = Class.forName("gen.Huge", true, loader);
            System.out.println("huge returned " + huge.getMethod("run").invoke(null));
        }
    }
}
