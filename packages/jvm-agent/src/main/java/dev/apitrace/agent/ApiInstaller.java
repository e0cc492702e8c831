package dev.apitrace.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

/**
 * Turns {@link ApiHooks#ALL} into Byte Buddy advice: JDK classes already loaded are
 * retransformed, the others (and every JDBC implementation) are transformed as they
 * load. Types are matched by name only (JDBC implementations by what
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
                    List<ApiHooks.Hook> same = byType.get(h.typeName);
                    if (same == null) {
                        same = new ArrayList<>();
                        byType.put(h.typeName, same);
                    }
                    same.add(h);
                    break;
                }
                case JDBC_STATEMENT: statementHooks.add(h); break;
                case JDBC_CONNECTION: connectionHooks.add(h); break;
                default: break;
            }
        }
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            // Advice only rewrites method bodies: decorate the class file as it is instead of
            // rebuilding the type (much less work per class, and nothing about its shape changes).
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
            .with(new FailureListener())
            .ignore(new Unhooked(byType, jdbc));
        for (Map.Entry<String, List<ApiHooks.Hook>> e : byType.entrySet()) {
            builder = builder.type(new NamedType(e.getKey())).transform(new AddAdvice(e.getValue()));
        }
        builder = builder.type(new JdbcType(jdbc, true)).transform(new AddAdvice(statementHooks))
            .type(new JdbcType(jdbc, false)).transform(new AddAdvice(connectionHooks));
        ClassFileTransformer hooks = new HookedTypesOnly(builder.makeRaw(), byType.keySet(), jdbc);
        inst.addTransformer(hooks, true);
        retransformLoaded(inst, byType.keySet());
    }

    /** The hooked JDK classes that are loaded already (most of them): rewritten now. */
    private void retransformLoaded(Instrumentation inst, Set<String> names) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (names.contains(c.getName()) && inst.isModifiableClass(c)) {
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
                    failures.incrementAndGet();
                    synchronized (failedTypes) {
                        failedTypes.add(c.getName() + ": " + one);
                    }
                }
            }
        }
    }

    /**
     * Byte Buddy's transformer, consulted only for the hooked names and the JDBC
     * implementations: every other class being loaded costs one set lookup here instead of
     * Byte Buddy's per-class set-up.
     */
    private static final class HookedTypesOnly implements ClassFileTransformer {
        private final ClassFileTransformer byteBuddy;
        private final Set<String> internalNames = new HashSet<>();
        private final JdbcTypes jdbc;

        HookedTypesOnly(ClassFileTransformer byteBuddy, Set<String> names, JdbcTypes jdbc) {
            this.byteBuddy = byteBuddy;
            for (String n : names) {
                internalNames.add(n.replace('.', '/'));
            }
            this.jdbc = jdbc;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                byte[] bytes) throws IllegalClassFormatException {
            if (name == null || !(internalNames.contains(name) || (loader != null && jdbc.isImplementation(name)))) {
                return null;
            }
            return byteBuddy.transform(module, loader, name, redefined, domain, bytes);
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

    /** Everything but the hooked names and the known JDBC types is ignored at once, by name. */
    private static final class Unhooked implements AgentBuilder.RawMatcher {
        private final Map<String, List<ApiHooks.Hook>> byType;
        private final JdbcTypes jdbc;

        Unhooked(Map<String, List<ApiHooks.Hook>> byType, JdbcTypes jdbc) {
            this.byType = byType;
            this.jdbc = jdbc;
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> redefined, ProtectionDomain domain) {
            String name = type.getName();
            return !byType.containsKey(name) && !jdbc.isStatement(name) && !jdbc.isConnection(name);
        }
    }

    private static final class NamedType implements AgentBuilder.RawMatcher {
        private final String name;

        NamedType(String name) {
            this.name = name;
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> redefined, ProtectionDomain domain) {
            return name.equals(type.getName());
        }
    }

    private static final class JdbcType implements AgentBuilder.RawMatcher {
        private final JdbcTypes jdbc;
        private final boolean statements;

        JdbcType(JdbcTypes jdbc, boolean statements) {
            this.jdbc = jdbc;
            this.statements = statements;
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> redefined, ProtectionDomain domain) {
            // Only implementations the application loaded; the JDK's own interfaces have nothing to hook.
            return loader != null && (statements ? jdbc.isStatement(type.getName()) : jdbc.isConnection(type.getName()));
        }
    }

    private static final class AddAdvice implements AgentBuilder.Transformer {
        private final List<ApiHooks.Hook> hooks;
        /** Made once per hook: reading an advice template parses its class file. */
        private final List<AsmVisitorWrapper> advice = new ArrayList<>();

        AddAdvice(List<ApiHooks.Hook> hooks) {
            this.hooks = hooks;
            for (ApiHooks.Hook h : hooks) {
                advice.add(Advice.withCustomMapping().bind(HookIndex.class, h.index).to(template(h.shape)).on(h.methods));
            }
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader,
                                                JavaModule module, ProtectionDomain domain) {
            DynamicType.Builder<?> b = builder;
            for (AsmVisitorWrapper a : advice) {
                b = b.visit(a);
            }
            return b;
        }

        private static Class<?> template(ApiHooks.Shape shape) {
            switch (shape) {
                case SERVED: return HookAdvice.Served.class;
                case RANDOM_SAMPLED: return HookAdvice.RandomSpan.class;
                case EXIT_STATUS: return HookAdvice.ExitStatus.class;
                case UNCAUGHT: return HookAdvice.Uncaught.class;
                default: return HookAdvice.MethodSpan.class;
            }
        }
    }

    private final class FailureListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            failures.incrementAndGet();
            synchronized (failedTypes) {
                if (failedTypes.size() < 100) {
                    failedTypes.add(typeName + ": " + error);
                }
            }
        }
    }
}
