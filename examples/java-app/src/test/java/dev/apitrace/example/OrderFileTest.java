package dev.apitrace.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderFileTest {
    @TempDir
    Path dir;

    @Test
    void readsOrdersAndChecksumsTheFile() throws Exception {
        Path file = dir.resolve("orders.json");
        Files.writeString(file, "[{\"id\":5,\"customer\":\"dan\",\"item\":\"cup\",\"amount\":3.5}]");
        assertEquals(List.of(new Order(5, "dan", "cup", 3.5)), OrderFile.read(file));
        assertEquals(
                "0b2d9b3d1b7e2dd1a7d4f14c7c1d5c1b".length(),
                Checksums.etag(new byte[0]).length());
        assertEquals(64, Checksums.sha256(file).length());
    }
}
