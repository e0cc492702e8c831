package dev.apitrace.example;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.commons.lang3.StringUtils;

/** Groups orders by customer (Guava) and formats lines (commons-lang3). */
public final class OrderSummary {
    private OrderSummary() {}

    public static ImmutableListMultimap<String, Order> byCustomer(List<Order> orders) {
        return Multimaps.index(orders, Order::customer);
    }

    public static List<String> lines(List<Order> orders) {
        ImmutableListMultimap<String, Order> grouped = byCustomer(orders);
        List<String> out = new ArrayList<>();
        for (String customer : new TreeSet<>(grouped.keySet())) {
            double total = 0;
            for (Order o : grouped.get(customer)) {
                total += o.amount();
            }
            out.add(StringUtils.rightPad(StringUtils.capitalize(customer), 8) + " "
                    + grouped.get(customer).size() + " order(s) " + String.format(Locale.ROOT, "%.2f", total));
        }
        return out;
    }
}
