package dev.apitrace.agent;

import java.util.List;
import java.util.Map;

/**
 * The record kinds of the event contract (packages/core/schema/events.schema.json,
 * docs/events.md), formatted here and only here: each method builds one record as a line
 * of JSON without its newline. {@link EventWriter} calls these; hooks never build JSON.
 */
final class EventRecords {
    static final String EMITTER_NAME = "apitrace-jvm-agent";

    private EventRecords() {}

    /** The first record of the file. */
    static StringBuilder processStart(
            ProcessFacts facts, int seq, String emitterVersion, long t, long wallEpochMillis) {
        StringBuilder line = new StringBuilder(512);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "process_start")
                .field("v", 1)
                .field("source", EventFile.SOURCE)
                .field("pid", facts.pid)
                .field("ppid", facts.ppid);
        if (facts.tid != ProcessFacts.NO_TID) {
            json.field("tid", facts.tid);
        }
        json.field("seq", seq)
                .field("origin", "start")
                .field("t", t)
                .field("wall", UtcTimestamp.format(wallEpochMillis))
                .field("exe", facts.exe)
                .field("argv", ArgvRedactor.redact(facts.argv))
                .field("cwd", facts.cwd)
                .beginObject("runtime")
                .field("name", "java")
                .field("version", facts.runtimeVersion)
                .field("vendor", facts.runtimeVendor)
                .endObject()
                .beginObject("emitter")
                .field("name", EMITTER_NAME)
                .field("version", emitterVersion)
                .endObject()
                .endObject();
        return line;
    }

    /**
     * The last record: how the process ended, the records of the file (this one included)
     * and those lost. {@code exitCode} and {@code signal} are left out when null.
     */
    static StringBuilder processEnd(
            String reason, Integer exitCode, Integer signal, long t, long records, long dropped) {
        StringBuilder line = new StringBuilder(128);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "process_end")
                .field("t", t)
                .field("reason", reason);
        if (exitCode != null) {
            json.field("exit_code", exitCode.longValue());
        }
        if (signal != null) {
            json.field("signal", signal.longValue());
        }
        json.field("records", records).field("dropped", dropped).endObject();
        return line;
    }

    /**
     * A JVM code source: how it was found ({@code classload}, or {@code scan} with
     * loaded false), its path, its URL when not a plain file, every pom.properties
     * found in it as {group, artifact, version}, and its manifest's identity attributes.
     */
    static StringBuilder codeUnit(
            long t,
            String path,
            String url,
            String how,
            boolean loaded,
            List<String[]> maven,
            Map<String, String> manifest) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "code_unit")
                .field("t", t)
                .field("unit", "code_source")
                .field("how", how)
                .field("path", path);
        if (url != null) {
            json.field("url", url);
        }
        if (!loaded) {
            json.field("loaded", false);
        }
        json.beginArray("maven");
        for (String[] gav : maven) {
            json.beginObject()
                    .field("group", gav[0])
                    .field("artifact", gav[1])
                    .field("version", gav[2])
                    .endObject();
        }
        json.endArray();
        if (!manifest.isEmpty()) {
            json.beginObject("manifest");
            for (Map.Entry<String, String> attribute : manifest.entrySet()) {
                json.field(attribute.getKey(), attribute.getValue());
            }
            json.endObject();
        }
        json.endObject();
        return line;
    }

    /** Methods of one class of a code source; {@code ran} null means none ran (never loaded). */
    static StringBuilder functionInventory(
            long t, String unit, String scope, boolean loaded, String[] names, String[] sigs, boolean[] ran) {
        StringBuilder line = new StringBuilder(64 + names.length * 48);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "function_inventory")
                .field("t", t)
                .field("unit", unit)
                .field("scope", scope)
                .field("loaded", loaded)
                .beginArray("functions");
        for (int i = 0; i < names.length; i++) {
            json.beginObject()
                    .field("name", names[i])
                    .field("sig", sigs[i])
                    .field("ran", ran != null && ran[i])
                    .endObject();
        }
        json.endArray().endObject();
        return line;
    }

    /** A distinct Java stack, innermost frame first. */
    static StringBuilder stack(int id, List<JavaFrame> frames, boolean truncated) {
        StringBuilder line = new StringBuilder(64 + frames.size() * 96);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "stack")
                .field("id", id)
                .beginArray("frames");
        for (JavaFrame f : frames) {
            json.beginObject().field("lang", "java").field("fn", f.fn);
            if (f.file != null) {
                json.field("file", f.file);
            }
            if (f.line >= 0) {
                json.field("line", f.line);
            }
            if (f.unit != null) {
                json.field("unit", f.unit);
            }
            json.endObject();
        }
        json.endArray();
        if (truncated) {
            json.field("truncated", true);
        }
        json.endObject();
        return line;
    }

    /** One sensitive call as a span on (pid, tid). */
    static StringBuilder call(SpanRecord span) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "call")
                .field("api", span.api)
                .field("category", span.category)
                .field("tid", span.tid)
                .field("t0", span.t0)
                .field("t1", span.t1);
        if (span.caller != null) {
            json.field("caller", span.caller);
        }
        if (span.stack > 0) {
            json.field("stack", span.stack);
        }
        if (!span.args.isEmpty()) {
            json.beginObject("args");
            for (Map.Entry<String, Object> e : span.args.entrySet()) {
                json.scalar(e.getKey(), e.getValue());
            }
            json.endObject();
        }
        if (span.returned != null || span.error != null) {
            json.beginObject("result");
            if (span.returned != null) {
                json.scalar("ret", span.returned);
            }
            if (span.error != null) {
                json.field("error", span.error);
            }
            json.endObject();
        }
        if (!span.flags.isEmpty()) {
            json.field("flags", span.flags);
        }
        json.endObject();
        return line;
    }

    /** HTTP exchanges of one key since the previous record of that key. */
    static StringBuilder webApi(
            WebApiTable.Entry e, long count, long firstT, long lastT, long min, long max, long sum) {
        StringBuilder line = new StringBuilder(256);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "web_api")
                .field("direction", e.direction)
                .field("method", e.method);
        if (e.scheme != null) {
            json.field("scheme", e.scheme);
        }
        if (e.host != null) {
            json.field("host", e.host);
        }
        json.field("route", e.route);
        if (e.status >= 0) {
            json.field("status", e.status);
        }
        json.field("framework", e.framework)
                .field("count", count)
                .field("first_t", firstT)
                .field("last_t", lastT)
                .beginObject("dur_ns")
                .field("min", min)
                .field("max", max)
                .field("sum", sum)
                .endObject();
        if (e.caller != null) {
            json.field("caller", e.caller);
        }
        json.endObject();
        return line;
    }

    /** Something the agent wants known: what it skipped, could not instrument, or lost ({@code count} left out when 0). */
    static StringBuilder notice(String level, String code, String message, String subject, long count, long t) {
        StringBuilder line = new StringBuilder(128);
        JsonOut json = new JsonOut(line)
                .beginObject()
                .field("kind", "notice")
                .field("level", level)
                .field("code", code)
                .field("message", message);
        if (subject != null) {
            json.field("subject", subject);
        }
        if (count > 0) {
            json.field("count", count);
        }
        json.field("t", t).endObject();
        return line;
    }
}
