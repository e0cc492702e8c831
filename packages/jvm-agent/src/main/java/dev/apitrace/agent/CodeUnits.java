package dev.apitrace.agent;

import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The code sources classes were loaded from. Class loading only notes a new source
 * (string work, no I/O); its Maven coordinates and manifest are read and its {@code code_unit}
 * written later, on the flusher thread.
 */
final class CodeUnits {
    private static final class Pending {
        final CodeSourceLocation location;
        final long t;

        Pending(CodeSourceLocation location, long t) {
            this.location = location;
            this.t = t;
        }
    }

    /** Weak keys: a discarded class loader's domains are not kept alive by us. */
    private final Map<ProtectionDomain, CodeSourceLocation> byDomain = Collections.synchronizedMap(new WeakHashMap<>());

    private final Set<String> loadedPaths = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

    /** The location of the code source of a class being loaded, or null when it has none. */
    CodeSourceLocation locationOf(ProtectionDomain domain) {
        if (domain == null) {
            return null;
        }
        CodeSourceLocation known = byDomain.get(domain);
        if (known != null) {
            return known;
        }
        CodeSource source = domain.getCodeSource();
        CodeSourceLocation location = source == null ? null : CodeSourceLocation.of(source.getLocation());
        if (location == null) {
            return null;
        }
        byDomain.put(domain, location);
        if (loadedPaths.add(location.path)) {
            pending.add(new Pending(location, System.nanoTime()));
        }
        return location;
    }

    boolean isLoaded(String path) {
        return loadedPaths.contains(path);
    }

    /** Writes a {@code code_unit} for every source first seen since the last call. */
    void writeNew(EventWriter writer) {
        Pending p;
        while ((p = pending.poll()) != null) {
            MavenMetadata.Found found = MavenMetadata.read(p.location);
            writer.codeUnit(p.t, p.location.path, p.location.url, "classload", true, found.maven, found.manifest);
        }
    }
}
