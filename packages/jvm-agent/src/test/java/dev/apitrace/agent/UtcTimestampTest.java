package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UtcTimestampTest {
    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static void assertMatchesJavaTime(long millis) {
        assertEquals(
                RFC3339_MILLIS.format(Instant.ofEpochMilli(millis)),
                UtcTimestamp.format(millis),
                () -> "epoch millis " + millis);
    }

    @Test
    void formatsTheContractExample() {
        assertEquals(
                "2026-11-28T18:20:24.123Z",
                UtcTimestamp.format(Instant.parse("2026-11-28T18:20:24.123Z").toEpochMilli()));
    }

    @Test
    void alwaysWritesThreeDigitsOfMilliseconds() {
        assertEquals("1970-01-01T00:00:00.000Z", UtcTimestamp.format(0));
        assertEquals(
                "2026-11-28T18:20:24.020Z",
                UtcTimestamp.format(Instant.parse("2026-11-28T18:20:24.020Z").toEpochMilli()));
    }

    @Test
    void calendarEdgesMatchJavaTime() {
        String[] edges = {
            "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.001Z", "2000-03-01T00:00:00Z",
            "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00Z", "2024-12-31T23:59:59.999Z",
            "2038-01-19T03:14:08Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z",
        };
        for (String edge : edges) {
            assertMatchesJavaTime(Instant.parse(edge).toEpochMilli());
        }
    }

    @Test
    void randomInstantsMatchJavaTime() {
        SplittableRandom random = new SplittableRandom(20261128);
        long from = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2300-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 100_000; i++) {
            assertMatchesJavaTime(random.nextLong(from, to));
        }
    }
}
