package dev.apitrace.agent.rt;

import jdk.internal.vm.annotation.Stable;

/**
 * The probe arrays of every instrumented class, indexed by the class's id. Lives in the
 * bootstrap loader so that code of any class loader can reach it.
 *
 * <p>An instrumented method starts with {@code Probes.ARRAYS[classId][methodIndex] = true}:
 * two loads and a store, no call. The array of a class is put in its slot before the
 * class's bytes are handed back to the JVM, so it exists before any of its code runs.
 * The outer array never grows (a grown copy could be missed by a thread holding the old
 * one): classes past its capacity are left untransformed and reported.
 *
 * <p>{@code @Stable}: a slot is set once, before any code of its class runs, and never
 * changes after, so the JIT, which trusts the annotation on fields of boot loader classes,
 * folds {@code ARRAYS[classId]} into a constant and the probe compiles to one byte store
 * (no load, null or bounds check). Elsewhere the annotation is ignored and nothing changes.
 * The inner arrays are only ever set to true, never reset, which the annotation also
 * assumes of their elements. (The agent's warm-up fills slot 0 for a class it never
 * defines and clears it again before any real class is given an id: no code reads it.)
 */
public final class Probes {
    public static final int CAPACITY = 1 << 18;

    @Stable
    public static final boolean[][] ARRAYS = new boolean[CAPACITY][];

    private Probes() {}
}
