package dev.apitrace.agent;

import dev.apitrace.agent.rt.Probes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every instrumented class with its methods and probe array, and what has been
 * reported of it. {@link #writeChanged} turns the arrays into {@code function_inventory}
 * records: a class is written when it is new or more of its methods ran since it was
 * last written (records of one class merge with ran ORed, so repeating is harmless).
 */
final class ClassInventory {
    static final class LoadedClass {
        final String unit;
        final String name;
        final String[] names;
        final String[] sigs;
        final boolean[] probes;
        int reportedRan = -1;

        LoadedClass(String unit, String name, String[] names, String[] sigs, boolean[] probes) {
            this.unit = unit;
            this.name = name;
            this.names = names;
            this.sigs = sigs;
            this.probes = probes;
        }
    }

    private final List<LoadedClass> classes = new ArrayList<>();
    /** Ids by loader and class name: a retransformed class keeps its id and its array. */
    private final Map<ClassLoader, Map<String, Integer>> ids = new WeakHashMap<>();

    private final Set<String> loadedNames = ConcurrentHashMap.newKeySet();
    private int nextId;
    private long overCapacity;

    /** The id this class got when first transformed, or -1. */
    synchronized int existingId(ClassLoader loader, String internalName) {
        Map<String, Integer> byName = ids.get(loader);
        Integer id = byName == null ? null : byName.get(internalName);
        return id == null ? -1 : id;
    }

    /** A fresh id, or -1 when {@link Probes#CAPACITY} classes already have one. */
    synchronized int reserveId() {
        if (nextId >= Probes.CAPACITY) {
            overCapacity++;
            return -1;
        }
        return nextId++;
    }

    synchronized long overCapacity() {
        return overCapacity;
    }

    /** Publishes the probe array of a class (before its bytes go back to the JVM) and lists it. */
    void add(
            int id,
            ClassLoader loader,
            String internalName,
            String unit,
            String[] names,
            String[] sigs,
            boolean[] probes) {
        Probes.ARRAYS[id] = probes;
        String dotted = internalName.replace('/', '.');
        synchronized (this) {
            Map<String, Integer> byName = ids.get(loader);
            if (byName == null) {
                byName = new HashMap<>();
                ids.put(loader, byName);
            }
            byName.put(internalName, id);
            classes.add(new LoadedClass(unit, dotted, names, sigs, probes));
        }
        loadedNames.add(unit + '\n' + dotted);
    }

    /** A loaded class that has no method with code (an interface without bodies, an annotation). */
    void addWithoutCode(String internalName, String unit) {
        String dotted = internalName.replace('/', '.');
        synchronized (this) {
            classes.add(new LoadedClass(unit, dotted, new String[0], new String[0], new boolean[0]));
        }
        loadedNames.add(unit + '\n' + dotted);
    }

    boolean isLoaded(String unit, String dottedName) {
        return loadedNames.contains(unit + '\n' + dottedName);
    }

    private final Object reportLock = new Object();

    void writeChanged(EventWriter writer, long t) {
        synchronized (reportLock) {
            writeChangedLocked(writer, t);
        }
    }

    private void writeChangedLocked(EventWriter writer, long t) {
        List<LoadedClass> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(classes);
        }
        for (LoadedClass c : snapshot) {
            int ran = 0;
            for (boolean p : c.probes) {
                if (p) {
                    ran++;
                }
            }
            if (ran != c.reportedRan) {
                c.reportedRan = ran;
                writer.functionInventory(t, c.unit, c.name, true, c.names, c.sigs, c.probes.clone());
            }
        }
    }
}
