package dev.apitrace.example;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Reads orders from a JSON file, checksums it, stores the orders in H2, serves them over
 * HTTP and fetches two of them back with both JDK HTTP clients. Its output is the same
 * on every run, so runs with and without apitrace can be compared line by line.
 */
public final class App {
    private App() {}

    public static void main(String[] args) throws Exception {
        Path file = Paths.get(args.length > 0 ? args[0] : "data/orders.json");
        List<Order> orders = OrderFile.read(file);
        System.out.println(
                "orders: " + orders.size() + " sha256 " + Checksums.sha256(file).substring(0, 16));
        for (String line : OrderSummary.lines(orders)) {
            System.out.println(line);
        }
        try (OrderStore store = new OrderStore("orders");
                OrderServer server = new OrderServer(store)) {
            for (Order o : orders) {
                store.add(o);
            }
            System.out.println("alice bought " + store.itemsOf("alice"));
            OrderClient client = new OrderClient(server.port());
            System.out.println("url connection: " + client.getWithUrlConnection(42));
            System.out.println("http client: " + client.getWithHttpClient(7));
            System.out.println("missing: " + client.getWithUrlConnection(1000));
        }
    }
}
