package dev.apitrace.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code call} record being put together: the hooks fill it, the writer formats it. */
final class SpanRecord {
    final String api;
    final String category;
    final long tid;
    final long t0;
    final long t1;
    String caller;
    int stack;
    final Map<String, Object> args = new LinkedHashMap<>();
    Object returned;
    String error;
    final List<String> flags = new ArrayList<>(2);

    SpanRecord(String api, String category, long tid, long t0, long t1) {
        this.api = api;
        this.category = category;
        this.tid = tid;
        this.t0 = t0;
        this.t1 = t1;
    }

    void flag(String flag) {
        if (!flags.contains(flag)) {
            flags.add(flag);
        }
    }
}
