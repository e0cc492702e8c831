package dev.apitrace.bench;

import java.util.Random;

/**
 * A hot path of java.util.Random outside any secret context (simulation, jitter,
 * sampling): the hooked API called millions of times. Warms up, then prints the
 * steady-state time per call: {@code steady_ns=<ns per call>}.
 */
public final class RandomWorkload {
    private RandomWorkload() {}

    static long rollDice(Random dice, int calls) {
        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += dice.nextInt(6);
        }
        return sum;
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        Random dice = new Random(20261128);
        long sink = rollDice(dice, warmup);
        long started = System.nanoTime();
        sink += rollDice(dice, measured);
        double ns = (double) (System.nanoTime() - started) / measured;
        System.out.printf(java.util.Locale.ROOT, "steady_ns=%.2f sink=%d%n", ns, sink);
    }
}
