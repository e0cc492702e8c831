#include "event_records.h"

#include <gnu/libc-version.h>
#include <time.h>

#include "event_clock.h"
#include "event_writer.h"
#include "json_out.h"
#include "process_identity.h"
#include "redact.h"

static const char *const origin_names[] = {
    [ORIGIN_START] = "start", [ORIGIN_FORK] = "fork", [ORIGIN_EXEC] = "exec",
};

/* Large scratch for process_start, static because the write path never
 * allocates. Only touched between event_writer_begin and commit, i.e. under
 * the writer lock. */
static struct process_identity identity;
static char redacted_arg[PROCESS_CMDLINE_MAX + 64];

/* Appends the redacted argv elements that fit; returns false when some had
 * to be left out. The record keeps room for the "]}" that closes it. */
static bool put_argv(struct json_out *o)
{
    const size_t closing = 2;
    const char *arg, *prev = NULL;
    size_t len, prev_len = 0, pos = 0;
    bool first = true;

    json_out_lit(o, "\"argv\":[");
    while (process_identity_next_arg(&identity, &pos, &arg, &len)) {
        bool cut = false;
        size_t n = redact_argv_element(prev, prev_len, arg, len, redacted_arg,
                                       sizeof redacted_arg, &cut);
        size_t mark = json_out_mark(o);
        if (!first)
            json_out_lit(o, ",");
        json_out_string(o, redacted_arg, n);
        if (cut || o->overflow || o->cap - o->len < closing) {
            json_out_rewind(o, mark);
            return false;
        }
        first = false;
        prev = arg;
        prev_len = len;
    }
    return !identity.cmdline_truncated;
}

void record_process_start(enum process_origin origin, unsigned seq)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;

    process_identity_read(&identity);
    struct timespec wall_ts;
    clock_gettime(CLOCK_REALTIME, &wall_ts);
    uint64_t t = event_clock_monotonic_ns();
    char wall[EVENT_WALL_LEN + 1];
    event_clock_format_wall(&wall_ts, wall);

    json_out_lit(o, "{\"kind\":\"process_start\",\"v\":1,\"source\":\"native\",\"pid\":");
    json_out_i64(o, identity.pid);
    json_out_lit(o, ",\"ppid\":");
    json_out_i64(o, identity.ppid);
    json_out_lit(o, ",\"tid\":");
    json_out_i64(o, identity.tid);
    json_out_lit(o, ",\"seq\":");
    json_out_u64(o, seq);
    json_out_lit(o, ",\"origin\":");
    json_out_cstring(o, origin_names[origin]);
    json_out_lit(o, ",\"t\":");
    json_out_u64(o, t);
    json_out_lit(o, ",\"wall\":");
    json_out_cstring(o, wall);
    json_out_lit(o, ",\"exe\":");
    json_out_string(o, identity.exe, identity.exe_len);
    json_out_lit(o, ",\"cwd\":");
    json_out_string(o, identity.cwd, identity.cwd_len);
    json_out_lit(o, ",\"runtime\":{\"name\":\"glibc\",\"version\":");
    json_out_cstring(o, gnu_get_libc_version());
    json_out_lit(o, "},\"emitter\":{\"name\":\"" EMITTER_NAME "\",\"version\":\"" EMITTER_VERSION "\"},");
    /* argv last, so that what does not fit of a huge command line is cut
     * from the end of the record and every other field is always there. */
    bool argv_complete = put_argv(o);
    json_out_lit(o, "]}");
    event_writer_commit(o);

    if (!argv_complete)
        record_notice("warn", "argv_truncated",
                      "command line too long to record in full; its last arguments are left out");
    event_writer_flush();
}

void record_process_end(bool has_exit_code, int exit_code)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    struct event_writer_totals totals = event_writer_totals();
    json_out_lit(o, "{\"kind\":\"process_end\",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    json_out_lit(o, ",\"reason\":\"exit\"");
    if (has_exit_code) {
        json_out_lit(o, ",\"exit_code\":");
        json_out_i64(o, exit_code);
    }
    json_out_lit(o, ",\"records\":");
    json_out_u64(o, totals.records + 1);
    json_out_lit(o, ",\"dropped\":");
    json_out_u64(o, totals.dropped);
    json_out_lit(o, "}");
    event_writer_commit_last(o);
}

void record_notice(const char *level, const char *code, const char *message)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"notice\",\"level\":");
    json_out_cstring(o, level);
    json_out_lit(o, ",\"code\":");
    json_out_cstring(o, code);
    json_out_lit(o, ",\"message\":");
    json_out_cstring(o, message);
    json_out_lit(o, ",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    json_out_lit(o, "}");
    event_writer_commit(o);
}
