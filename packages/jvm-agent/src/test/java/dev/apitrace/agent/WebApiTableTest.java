package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebApiTableTest {
    @TempDir
    Path dir;

    @Test
    void identifiersInPathsBecomeParametersAndQueriesGo() {
        assertEquals("/users/:id/orders/:id", WebApiTable.routeTemplate("/users/42/orders/7?x=1#top"));
        assertEquals("/files/:id", WebApiTable.routeTemplate("/files/3f2a9c1b-0d4e-4a5b-9c6d-7e8f90a1b2c3"));
        assertEquals("/commits/:id", WebApiTable.routeTemplate("/commits/9fceb02d0ae598e95dc970b74767f19372d61af8"));
        assertEquals("/v2/status/beef", WebApiTable.routeTemplate("/v2/status/beef"));
        assertEquals("/", WebApiTable.routeTemplate(""));
        assertTrue(WebApiTable.isIdentifier("12345"));
        assertFalse(WebApiTable.isIdentifier("abcdefgh"));
    }

    @Test
    void pathTokensOfTheRedactionRulesBecomeParameters() {
        assertEquals(
                "/reset/:id/done",
                WebApiTable.routeTemplate("/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl/done"));
        assertEquals("/dl/:id", WebApiTable.routeTemplate("/dl/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-"));
        assertEquals(
                "/docs/getting-started-with-the-api", WebApiTable.routeTemplate("/docs/getting-started-with-the-api"));
    }

    @Test
    void writesDeltasPerKeyAndNothingWhenNothingHappened() throws Exception {
        WebApiTable table = new WebApiTable();
        table.add(
                new WebApiTable.Entry("served", "GET", "http", "127.0.0.1:80", "/a/:id", 200, "com.sun.net.httpserver"),
                100,
                150,
                null);
        table.add(
                new WebApiTable.Entry("served", "GET", "http", "127.0.0.1:80", "/a/:id", 200, "com.sun.net.httpserver"),
                200,
                210,
                null);
        table.add(
                new WebApiTable.Entry(
                        "called", "POST", "http", "127.0.0.1:80", "/b", 404, "java.net.HttpURLConnection"),
                300,
                400,
                "/app.jar");
        EventWriter writer = EventWriter.create(dir, 1);
        table.writeDeltas(writer);
        table.writeDeltas(writer);
        table.add(
                new WebApiTable.Entry("served", "GET", "http", "127.0.0.1:80", "/a/:id", 200, "com.sun.net.httpserver"),
                500,
                530,
                null);
        table.writeDeltas(writer);
        writer.close();
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(writer.file())) {
            JsonNode r = new ObjectMapper().readTree(line);
            assertEquals(List.of(), EventSchema.problems(r), line);
            records.add(r);
        }
        assertEquals(3, records.size());
        JsonNode first = records.stream()
                .filter(r -> r.get("direction").asText().equals("served"))
                .findFirst()
                .orElseThrow();
        assertEquals(2, first.get("count").asInt());
        assertEquals(100, first.get("first_t").asLong());
        assertEquals(210, first.get("last_t").asLong());
        assertEquals(10, first.get("dur_ns").get("min").asLong());
        assertEquals(50, first.get("dur_ns").get("max").asLong());
        assertEquals(60, first.get("dur_ns").get("sum").asLong());
        JsonNode later = records.get(2);
        assertEquals(1, later.get("count").asInt());
        assertEquals(30, later.get("dur_ns").get("sum").asLong());
    }
}
