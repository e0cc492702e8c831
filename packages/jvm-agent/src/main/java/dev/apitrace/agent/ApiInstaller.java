package dev.apitrace.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns {@link ApiHooks#ALL} into woven calls ({@link HookWeaver}): JDK classes already
 * loaded are retransformed, the others (and every JDBC implementation) are transformed as
 * they load. Types are matched by name only (JDBC implementations by what
 * {@link JdbcTypes} learnt from class headers), so matching never resolves a type
 * through a class loader. Failures are counted, never thrown.
 */
final class ApiInstaller {
    private final AtomicLong failures = new AtomicLong();
    private final List<String> failedTypes = new ArrayList<>();

    void install(Instrumentation inst, JdbcTypes jdbc) {
        Map<String, List<ApiHooks.Hook>> byType = new HashMap<>();
        List<ApiHooks.Hook> statementHooks = new ArrayList<>();
        List<ApiHooks.Hook> connectionHooks = new ArrayList<>();
        for (ApiHooks.Hook h : ApiHooks.ALL) {
            switch (h.types) {
                case NAMED: {
                    String internal = h.typeName.replace('.', '/');
                    List<ApiHooks.Hook> same = byType.get(internal);
                    if (same == null) {
                        same = new ArrayList<>();
                        byType.put(internal, same);
                    }
                    same.add(h);
                    break;
                }
                case JDBC_STATEMENT:
                    statementHooks.add(h);
                    break;
                case JDBC_CONNECTION:
                    connectionHooks.add(h);
                    break;
                default:
                    break;
            }
        }
        Hooks hooks = new Hooks(byType, statementHooks, connectionHooks, jdbc);
        // Loaded and run once before it is installed: the first class it sees must not make it
        // load its own classes in the middle of the application's class loading.
        hooks.warmUp();
        inst.addTransformer(hooks, true);
        retransformLoaded(inst, byType);
    }

    /** The hooked JDK classes that are loaded already (most of them): rewritten now. */
    private void retransformLoaded(Instrumentation inst, Map<String, List<ApiHooks.Hook>> byType) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (byType.containsKey(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        try {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        } catch (Throwable all) {
            for (Class<?> c : loaded) {
                try {
                    inst.retransformClasses(c);
                } catch (Throwable one) {
                    failed(c.getName(), one);
                }
            }
        }
    }

    private void failed(String type, Throwable why) {
        failures.incrementAndGet();
        synchronized (failedTypes) {
            if (failedTypes.size() < 100) {
                failedTypes.add(type + ": " + why);
            }
        }
    }

    long failures() {
        return failures.get();
    }

    List<String> drainFailedTypes() {
        synchronized (failedTypes) {
            List<String> copy = new ArrayList<>(failedTypes);
            failedTypes.clear();
            return copy;
        }
    }

    /** The transformer: the hooked names and the JDBC implementations; every other class costs a set lookup. */
    private final class Hooks implements ClassFileTransformer {
        private final Map<String, List<ApiHooks.Hook>> byType;
        private final List<ApiHooks.Hook> statementHooks;
        private final List<ApiHooks.Hook> connectionHooks;
        private final JdbcTypes jdbc;

        Hooks(
                Map<String, List<ApiHooks.Hook>> byType,
                List<ApiHooks.Hook> statementHooks,
                List<ApiHooks.Hook> connectionHooks,
                JdbcTypes jdbc) {
            this.byType = byType;
            this.statementHooks = statementHooks;
            this.connectionHooks = connectionHooks;
            this.jdbc = jdbc;
        }

        @Override
        public byte[] transform(
                Module module,
                ClassLoader loader,
                String name,
                Class<?> redefined,
                ProtectionDomain domain,
                byte[] bytes) {
            if (name == null || bytes == null) {
                return null;
            }
            List<ApiHooks.Hook> named = byType.get(name);
            // Only implementations the application loaded; the JDK's own interfaces have nothing to hook.
            boolean implementation = loader != null && jdbc.isImplementation(name);
            if (named == null && !implementation) {
                return null;
            }
            List<ApiHooks.Hook> hooks = new ArrayList<>();
            if (named != null) {
                hooks.addAll(named);
            }
            if (implementation) {
                String dotted = name.replace('/', '.');
                if (jdbc.isStatement(dotted)) {
                    hooks.addAll(statementHooks);
                }
                if (jdbc.isConnection(dotted)) {
                    hooks.addAll(connectionHooks);
                }
            }
            try {
                return HookWeaver.weave(bytes, hooks);
            } catch (Throwable t) {
                failed(name.replace('/', '.'), t);
                return null;
            }
        }

        /** Weaves a class of every shape once, into bytes that are thrown away. */
        void warmUp() {
            try (java.io.InputStream in = ApiInstaller.class.getResourceAsStream("ApiInstaller.class")) {
                if (in == null) {
                    return;
                }
                byte[] bytes = in.readAllBytes();
                String[] methods = {"install", "failed", "warmUp", "transform", "drainFailedTypes"};
                List<ApiHooks.Hook> one = new ArrayList<>();
                java.util.Set<ApiHooks.Shape> shapes = java.util.EnumSet.noneOf(ApiHooks.Shape.class);
                for (ApiHooks.Hook h : ApiHooks.ALL) {
                    if (h.types == ApiHooks.Types.NAMED && shapes.add(h.shape)) {
                        one.add(new ApiHooks.Hook(
                                h.index,
                                h.types,
                                h.typeName,
                                ApiHooks.named(methods[one.size()]),
                                h.api,
                                h.category,
                                h.shape,
                                h.summary));
                    }
                }
                HookWeaver.weave(bytes, one);
            } catch (Throwable t) {
                // Not needed for correctness: the classes would load on first use instead.
            }
        }
    }
}
