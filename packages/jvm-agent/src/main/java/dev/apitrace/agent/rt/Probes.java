package dev.apitrace.agent.rt;

/**
 * The probe arrays of every instrumented class, indexed by the class's id. Lives in the
 * bootstrap loader so that code of any class loader can reach it.
 *
 * <p>An instrumented method starts with {@code Probes.ARRAYS[classId][methodIndex] = true}:
 * two loads and a store, no call. The array of a class is put in its slot before the
 * class's bytes are handed back to the JVM, so it exists before any of its code runs.
 * The outer array never grows (a grown copy could be missed by a thread holding the old
 * one): classes past its capacity are left untransformed and reported.
 */
public final class Probes {
    public static final int CAPACITY = 1 << 18;
    public static final boolean[][] ARRAYS = new boolean[CAPACITY][];

    private Probes() {}
}
