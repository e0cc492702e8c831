package dev.apitrace.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderSummaryTest {
    private static final List<Order> ORDERS = List.of(
            new Order(1, "alice", "pen", 2.5), new Order(2, "bob", "ink", 4), new Order(3, "alice", "pad", 1.25));

    @Test
    void groupsOrdersByCustomer() {
        assertEquals(2, OrderSummary.byCustomer(ORDERS).get("alice").size());
    }

    @Test
    void formatsOneLinePerCustomerInNameOrder() {
        assertEquals(List.of("Alice    2 order(s) 3.75", "Bob      1 order(s) 4.00"), OrderSummary.lines(ORDERS));
    }
}
