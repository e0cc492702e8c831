package dev.apitrace.agent.testapp;

import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several threads load classes at once through a parallel-capable loader that defines
 * them from bytes (made by the test, one directory of class files given as args[0]),
 * and call into each other's classes: the agent must neither deadlock nor cause a
 * ClassCircularityError while it transforms them.
 */
public final class ParallelLoading {
    private ParallelLoading() {}

    static final class BytesLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> classes;
        private final ProtectionDomain domain;

        BytesLoader(Map<String, byte[]> classes, URL location) {
            super(ParallelLoading.class.getClassLoader());
            this.classes = classes;
            this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length, domain);
        }
    }

    public static void main(String[] args) throws Exception {
        java.nio.file.Path dir = java.nio.file.Paths.get(args[0]);
        Map<String, byte[]> classes = new ConcurrentHashMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                String name = f.getFileName().toString();
                classes.put(
                        "gen." + name.substring(0, name.length() - ".class".length()),
                        java.nio.file.Files.readAllBytes(f));
            }
        }
        BytesLoader loader = new BytesLoader(classes, dir.toUri().toURL());
        int threads = 4;
        int perThread = classes.size() / threads;
        List<Thread> workers = new ArrayList<>();
        long[] sums = new long[threads];
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread w = new Thread(() -> {
                try {
                    long sum = 0;
                    for (int i = 0; i < perThread; i++) {
                        // Each thread walks the classes in its own order, so they meet in the middle.
                        int n = (i * (id + 1) + id * 7) % classes.size();
                        Class<?> c = Class.forName("gen.C" + n, true, loader);
                        sum += (int) c.getMethod("value").invoke(null);
                    }
                    sums[id] = sum;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            workers.add(w);
            w.start();
        }
        long total = 0;
        for (int t = 0; t < threads; t++) {
            workers.get(t).join();
            total += sums[t];
        }
        System.out.println("loaded in parallel, total " + total);
    }
}
