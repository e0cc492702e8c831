package dev.apitrace.agent;

import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
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
        builder.installOn(inst);
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
                case CONSTRUCTOR: return HookAdvice.ConstructorSpan.class;
                case SERVED: return HookAdvice.Served.class;
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
