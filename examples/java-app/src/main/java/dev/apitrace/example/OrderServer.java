package dev.apitrace.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** GET /orders/{id}: the order as JSON with an MD5 ETag, or 404. */
public final class OrderServer implements AutoCloseable {
    private final HttpServer server;

    public OrderServer(OrderStore store) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/orders/", exchange -> answer(store, exchange));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(OrderStore store, HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Order order = null;
            try {
                order = store.find(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
            } catch (NumberFormatException | java.sql.SQLException e) {
                order = null;
            }
            if (order == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = OrderFile.toJson(order).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("ETag", "\"" + Checksums.etag(body) + "\"");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
