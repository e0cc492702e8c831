package dev.apitrace.example;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Reads orders from a JSON file with Jackson. */
public final class OrderFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OrderFile() {}

    public static List<Order> read(Path file) throws IOException {
        try (InputStream in = new FileInputStream(file.toFile())) {
            return JSON.readValue(in, new TypeReference<List<Order>>() {});
        }
    }

    public static String toJson(Object value) throws IOException {
        return JSON.writeValueAsString(value);
    }
}
