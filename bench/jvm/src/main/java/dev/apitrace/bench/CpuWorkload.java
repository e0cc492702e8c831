package dev.apitrace.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.Multimaps;
import com.google.common.collect.Ordering;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU-bound work over real libraries: Jackson serialises and parses a list of orders,
 * Guava groups, sorts and indexes them. Warms up, then prints the steady-state time
 * per iteration, wall and the main thread's CPU: {@code steady_ms=<ms> steady_cpu_ms=<ms>}.
 */
public final class CpuWorkload {
    public record Order(long id, String customer, String item, double amount, List<String> tags) {}

    private CpuWorkload() {}

    static long iteration(ObjectMapper json, List<Order> orders) throws Exception {
        String text = json.writeValueAsString(orders);
        List<Order> back = json.readValue(text, new TypeReference<List<Order>>() {});
        Map<String, Double> totals = new java.util.HashMap<>();
        for (Map.Entry<String, java.util.Collection<Order>> e :
                Multimaps.index(back, Order::customer).asMap().entrySet()) {
            double sum = 0;
            for (Order o : e.getValue()) {
                sum += o.amount();
            }
            totals.put(e.getKey(), sum);
        }
        ImmutableSortedMap<String, Double> sorted = ImmutableSortedMap.copyOf(totals);
        List<Order> top = Ordering.natural().onResultOf((Order o) -> o.amount()).greatestOf(back, 10);
        return text.length() + sorted.size() + top.size();
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        ObjectMapper json = new ObjectMapper();
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            orders.add(new Order(
                    i,
                    "customer-" + (i % 97),
                    "item-" + (i % 31),
                    (i * 37 % 1000) / 10.0,
                    List.of("t" + (i % 5), "x")));
        }
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += iteration(json, orders);
        }
        // CPU time of this thread too: on a shared machine it moves far less than wall time
        // when other processes take the cores.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long startedCpu = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        for (int i = 0; i < measured; i++) {
            sink += iteration(json, orders);
        }
        double ms = (System.nanoTime() - started) / 1e6 / measured;
        double cpuMs = (threads.getCurrentThreadCpuTime() - startedCpu) / 1e6 / measured;
        System.out.printf(java.util.Locale.ROOT, "steady_ms=%.4f steady_cpu_ms=%.4f sink=%d%n", ms, cpuMs, sink);
    }
}
