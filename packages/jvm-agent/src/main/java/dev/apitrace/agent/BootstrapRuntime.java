package dev.apitrace.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * Puts the agent's tiny runtime ({@code dev.apitrace.agent.rt}: the probe arrays and the
 * dispatcher) into the bootstrap class loader, where code of every loader, the JDK's
 * included, can reach it, and gives the JDK modules that get hooks a read edge to it.
 *
 * <p>Must run before any other agent class touches the runtime classes: class loading
 * delegates parent-first, so from then on the agent's references resolve to the
 * bootstrap copies as well, and there is only one Dispatch and one Probes.
 */
final class BootstrapRuntime {
    /** Kept equal, by BootstrapRuntimeTest, to what advice and injected bytecode reach from JDK classes. */
    static final String[] CLASSES = {
        "dev/apitrace/agent/rt/Probes.class",
        "dev/apitrace/agent/rt/SpanSink.class",
        "dev/apitrace/agent/rt/Dispatch.class",
        "dev/apitrace/agent/rt/Dispatch$ThreadState.class",
    };

    /** Modules whose classes the table hooks; those present get a read edge to the runtime. */
    static final String[] HOOKED_MODULES = {"java.base", "java.net.http", "java.naming", "java.sql", "jdk.httpserver"};

    private BootstrapRuntime() {}

    /**
     * Defines the runtime classes in the bootstrap loader directly, with the JDK's own
     * {@code jdk.internal.misc.Unsafe.defineClass}, exported to the agent for this through
     * the Instrumentation. Appending a jar to the bootstrap search path would be simpler,
     * but HotSpot then turns class data sharing off for application classes and prints a
     * warning on the application's stderr; Byte Buddy's ClassInjector does what is done
     * here but loads a few hundred classes of its own to get there.
     */
    static void inject(Instrumentation inst) throws Exception {
        Module javaBase = Object.class.getModule();
        Module agent = BootstrapRuntime.class.getModule();
        inst.redefineModule(
                javaBase,
                Collections.emptySet(),
                Collections.singletonMap("jdk.internal.misc", Collections.singleton(agent)),
                Collections.emptyMap(),
                Collections.emptySet(),
                Collections.emptyMap());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod(
                "defineClass",
                String.class,
                byte[].class,
                int.class,
                int.class,
                ClassLoader.class,
                ProtectionDomain.class);
        ClassLoader own = BootstrapRuntime.class.getClassLoader();
        for (String file : CLASSES) {
            byte[] bytes;
            try (InputStream in = own.getResourceAsStream(file)) {
                if (in == null) {
                    throw new IOException("missing " + file + " in the agent jar");
                }
                bytes = in.readAllBytes();
            }
            String name = file.substring(0, file.length() - ".class".length()).replace('/', '.');
            define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
        }
    }

    /** The bootstrap loader's unnamed module, where the runtime now lives. */
    static Module runtimeModule() throws ClassNotFoundException {
        return Class.forName("dev.apitrace.agent.rt.Dispatch", false, null).getModule();
    }

    /** Lets the hooked JDK modules read the runtime's (unnamed) module. */
    static void addReadEdges(Instrumentation inst) throws ClassNotFoundException {
        Module runtime = runtimeModule();
        Set<Module> reads = Collections.singleton(runtime);
        Set<String> wanted = new HashSet<>();
        Collections.addAll(wanted, HOOKED_MODULES);
        for (Module m : ModuleLayer.boot().modules()) {
            if (wanted.contains(m.getName())) {
                inst.redefineModule(
                        m,
                        reads,
                        Collections.emptyMap(),
                        Collections.emptyMap(),
                        Collections.emptySet(),
                        Collections.emptyMap());
            }
        }
    }

    /** A named module of the application that loads instrumented classes needs the same edge. */
    static void addReadEdge(Instrumentation inst, Module module, Module runtime) {
        if (module != null && module.isNamed() && !module.canRead(runtime)) {
            inst.redefineModule(
                    module,
                    Collections.singleton(runtime),
                    Collections.emptyMap(),
                    Collections.emptyMap(),
                    Collections.emptySet(),
                    Collections.emptyMap());
        }
    }
}
