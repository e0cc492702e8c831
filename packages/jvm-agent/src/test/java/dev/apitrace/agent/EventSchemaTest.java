package dev.apitrace.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema check itself: it must reject what the contract forbids, not pass everything. */
class EventSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode processStart() throws Exception {
        return (ObjectNode) JSON.readTree("""
            {"kind":"process_start","v":1,"source":"jvm","pid":4242,"ppid":4241,"tid":4243,
             "seq":0,"origin":"start","t":123,"wall":"2026-01-01T00:00:00.000Z",
             "exe":"/usr/bin/java","argv":["java","-jar","app.jar"],"cwd":"/srv/app",
             "runtime":{"name":"java","version":"17.0.15+6","vendor":"Debian"},
             "emitter":{"name":"apitrace-jvm-agent","version":"0.1.0"}}
            """);
    }

    @Test
    void rejectsRecordsThatBreakTheContract() throws Exception {
        assertEquals(List.of(), EventSchema.problems(processStart()), "control record must fit");

        ObjectNode missingPid = processStart();
        missingPid.remove("pid");
        assertFalse(EventSchema.problems(missingPid).isEmpty(), "process_start without pid passed");

        ObjectNode unknownField = processStart();
        unknownField.put("surprise", true);
        assertFalse(EventSchema.problems(unknownField).isEmpty(), "unknown field passed");

        ObjectNode badWall = processStart();
        badWall.put("wall", "yesterday");
        assertFalse(EventSchema.problems(badWall).isEmpty(), "wall that is no date-time passed");

        ObjectNode unknownKind = processStart();
        unknownKind.put("kind", "no_such_kind");
        assertFalse(EventSchema.problems(unknownKind).isEmpty(), "unknown kind passed");
    }
}
