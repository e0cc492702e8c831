package dev.apitrace.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderRoundTripTest {
    @Test
    void storesServesAndFetchesOrders() throws Exception {
        try (OrderStore store = new OrderStore("roundtrip");
                OrderServer server = new OrderServer(store)) {
            store.add(new Order(42, "alice", "keyboard", 49.9));
            store.add(new Order(13, "alice", "mouse", 19.5));
            assertEquals(List.of("keyboard", "mouse"), store.itemsOf("alice"));
            OrderClient client = new OrderClient(server.port());
            assertTrue(client.getWithUrlConnection(42).contains("\"item\":\"keyboard\""));
            assertTrue(client.getWithHttpClient(13).contains("\"item\":\"mouse\""));
            assertEquals("HTTP 404", client.getWithUrlConnection(77));
        }
    }
}
