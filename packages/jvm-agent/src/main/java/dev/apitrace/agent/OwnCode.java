package dev.apitrace.agent;

import java.security.ProtectionDomain;

/**
 * Whether a class is the agent's own: loaded from the agent jar (its protection domain),
 * or the bootstrap runtime. By origin, not by name, so an application class in a package
 * that happens to start with dev.apitrace.agent is still the application's.
 */
final class OwnCode {
    private static final ProtectionDomain AGENT = OwnCode.class.getProtectionDomain();
    private static final String RUNTIME_PACKAGE = "dev.apitrace.agent.rt.";

    private OwnCode() {}

    static boolean isOwn(Class<?> c) {
        if (c.getClassLoader() == null) {
            return c.getName().startsWith(RUNTIME_PACKAGE);
        }
        return c.getProtectionDomain() == AGENT;
    }
}
