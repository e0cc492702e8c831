package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonOutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String quoted(String s) {
        StringBuilder out = new StringBuilder();
        JsonOut.string(out, s);
        return out.toString();
    }

    /** What the writer puts on disk: strict UTF-8, which fails on any unpaired surrogate. */
    private static byte[] strictUtf8(String s) throws CharacterCodingException {
        ByteBuffer bytes = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(s));
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }

    @Test
    void escapesQuoteBackslashAndNamedControls() {
        assertEquals("\"a\\\"b\\\\c\"", quoted("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\"", quoted("\n\r\t\b\f"));
        assertEquals("\"/\"", quoted("/"));
    }

    @Test
    void escapesOtherControlCharactersAsUnicode() {
        assertEquals("\"\\u0000\\u0001\\u001f\\u007f\"", quoted("\u0000\u0001\u001f\u007f"));
    }

    @Test
    void keepsNonAsciiAndSurrogatePairsAsCharacters() {
        assertEquals("\"naïve ünïcode €\"", quoted("naïve ünïcode €"));
        assertEquals("\"\uD83D\uDE00\"", quoted("\uD83D\uDE00")); // 😀 as a pair
        assertEquals("\"\u2028\"", quoted("\u2028"));
    }

    @Test
    void escapesLoneSurrogatesSoTheLineStaysValidUtf8() throws Exception {
        assertEquals("\"\\ud83d\"", quoted("\uD83D"));
        assertEquals("\"\\ude00\"", quoted("\uDE00"));
        assertEquals("\"a\\ud83db\"", quoted("a\uD83Db"));
        assertEquals("\"\\ude00\\ud83d\"", quoted("\uDE00\uD83D")); // reversed pair: two lone halves
        assertEquals("\"\\ud83d\uD83D\uDE00\"", quoted("\uD83D\uD83D\uDE00")); // lone high, then a pair
        assertEquals("\"x\\ud83d\"", quoted("x\uD83D")); // high surrogate at the very end
    }

    @Test
    void nullStringIsJsonNull() {
        assertEquals("null", quoted(null));
    }

    @Test
    void everyUtf16CodeUnitRoundTripsThroughAStrictParser() throws Exception {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = "<" + (char) c + ">";
            String json = quoted(s);
            JsonNode parsed = JSON.readTree(strictUtf8(json));
            assertEquals(s, parsed.textValue(), () -> "U+" + Integer.toHexString(s.charAt(1)));
        }
    }

    @Test
    void buildsObjectsWithCommasInTheRightPlaces() throws Exception {
        StringBuilder out = new StringBuilder();
        new JsonOut(out)
                .beginObject()
                .field("s", "x")
                .field("n", -42)
                .field("b", true)
                .field("empty", List.of())
                .field("list", List.of("a", "b\n"))
                .beginObject("inner")
                .field("k", "v")
                .beginObject("deeper")
                .endObject()
                .endObject()
                .field("last", 0)
                .endObject();
        assertEquals(
                "{\"s\":\"x\",\"n\":-42,\"b\":true,\"empty\":[],\"list\":[\"a\",\"b\\n\"],"
                        + "\"inner\":{\"k\":\"v\",\"deeper\":{}},\"last\":0}",
                out.toString());
        JsonNode parsed = JSON.readTree(out.toString());
        assertEquals("b\n", parsed.get("list").get(1).textValue());
    }

    @Test
    void escapesFieldNamesToo() {
        StringBuilder out = new StringBuilder();
        new JsonOut(out).beginObject().field("a\"b", 1).endObject();
        assertEquals("{\"a\\\"b\":1}", out.toString());
    }
}
