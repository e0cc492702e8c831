package dev.apitrace.example;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Orders in an embedded, in-memory H2 database. */
public final class OrderStore implements AutoCloseable {
    private final Connection connection;

    public OrderStore(String name) throws SQLException {
        connection = DriverManager.getConnection("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        try (Statement s = connection.createStatement()) {
            s.execute(
                    "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(40), item VARCHAR(80), amount DOUBLE)");
        }
    }

    public void add(Order o) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?)")) {
            p.setLong(1, o.id());
            p.setString(2, o.customer());
            p.setString(3, o.item());
            p.setDouble(4, o.amount());
            p.executeUpdate();
        }
    }

    public Order find(long id) throws SQLException {
        try (PreparedStatement p =
                connection.prepareStatement("SELECT id, customer, item, amount FROM orders WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? new Order(r.getLong(1), r.getString(2), r.getString(3), r.getDouble(4)) : null;
            }
        }
    }

    /** Built by string concatenation, the way it should not be: the agent flags it. */
    public List<String> itemsOf(String customer) throws SQLException {
        List<String> items = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT item FROM orders WHERE customer = '" + customer + "' ORDER BY item")) {
            while (r.next()) {
                items.add(r.getString(1));
            }
        }
        return items;
    }

    @Override
    public void close() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP ALL OBJECTS");
        }
        connection.close();
    }
}
