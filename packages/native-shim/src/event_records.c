#include "event_records.h"

#include <fcntl.h>
#include <gnu/libc-version.h>
#include <string.h>
#include <time.h>

#include "call_event.h"
#include "event_clock.h"
#include "event_writer.h"
#include "hook_api.h"
#include "json_out.h"
#include "process_identity.h"
#include "redact.h"

static const char *const origin_names[] = {
    [ORIGIN_START] = "start",
    [ORIGIN_FORK] = "fork",
    [ORIGIN_EXEC] = "exec",
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
    const char *arg;
    size_t len, pos = 0;
    bool first = true;
    struct redact_argv_state state = { 0 };

    json_out_lit(o, "\"argv\":[");
    while (process_identity_next_arg(&identity, &pos, &arg, &len)) {
        bool cut = false;
        size_t n = redact_argv_element(&state, arg, len, redacted_arg, sizeof redacted_arg, &cut);
        size_t mark = json_out_mark(o);
        if (!first)
            json_out_lit(o, ",");
        json_out_string(o, redacted_arg, n);
        if (cut || o->overflow || o->cap - o->len < closing) {
            json_out_rewind(o, mark);
            return false;
        }
        first = false;
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

static void put_process_end(bool has_exit_code, int exit_code, int sig)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    struct event_writer_totals totals = event_writer_totals();
    json_out_lit(o, "{\"kind\":\"process_end\",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    if (sig > 0) {
        json_out_lit(o, ",\"reason\":\"signal\",\"signal\":");
        json_out_i64(o, sig);
    } else {
        json_out_lit(o, ",\"reason\":\"exit\"");
    }
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

void record_process_end(bool has_exit_code, int exit_code)
{
    put_process_end(has_exit_code, exit_code, 0);
}

void record_process_end_signal(int sig)
{
    put_process_end(false, 0, sig);
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

void record_notice_about(const char *level, const char *code, const char *message, const char *subject)
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
    json_out_lit(o, ",\"subject\":");
    json_out_cstring(o, subject);
    json_out_lit(o, ",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    json_out_lit(o, "}");
    event_writer_commit(o);
}

void record_notice_count(const char *level, const char *code, const char *message, uint64_t count)
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
    json_out_lit(o, ",\"count\":");
    json_out_u64(o, count);
    json_out_lit(o, ",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    json_out_lit(o, "}");
    event_writer_commit(o);
}

static void put_hex(struct json_out *o, uintptr_t v)
{
    char digits[2 + 2 * sizeof v];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    digits[sizeof digits - ++n] = 'x';
    digits[sizeof digits - ++n] = '0';
    json_out_raw(o, digits + sizeof digits - n, n);
}

void record_code_unit(const struct code_unit_record *r)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"code_unit\",\"t\":");
    json_out_u64(o, event_clock_monotonic_ns());
    json_out_lit(o, ",\"unit\":\"shared_object\",\"how\":");
    json_out_cstring(o, r->how);
    json_out_lit(o, ",\"path\":");
    json_out_cstring(o, r->path);
    if (r->soname != NULL) {
        json_out_lit(o, ",\"soname\":");
        json_out_cstring(o, r->soname);
    }
    if (r->build_id != NULL) {
        json_out_lit(o, ",\"build_id\":");
        json_out_cstring(o, r->build_id);
    }
    json_out_lit(o, ",\"base\":\"");
    put_hex(o, r->base);
    json_out_lit(o, "\"");
    if (r->needed != NULL) {
        json_out_lit(o, ",\"needed\":[");
        for (size_t i = 0; i < r->needed_count; i++) {
            if (i > 0)
                json_out_lit(o, ",");
            json_out_cstring(o, r->needed[i]);
        }
        json_out_lit(o, "]");
    }
    json_out_lit(o, "}");
    event_writer_commit(o);
}

void record_stack(unsigned id, const char *unit, uintptr_t offset)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"stack\",\"id\":");
    json_out_u64(o, id);
    json_out_lit(o, ",\"frames\":[{\"lang\":\"native\",\"fn\":\"?\",\"unit\":");
    json_out_cstring(o, unit);
    json_out_lit(o, ",\"addr\":\"");
    put_hex(o, offset);
    json_out_lit(o, "\"}]}");
    event_writer_commit(o);
}

static void put_stack_ref(struct json_out *o, unsigned stack)
{
    if (stack == 0)
        return;
    json_out_lit(o, ",\"stack\":");
    json_out_u64(o, stack);
}

/* Scratch for redacted text, used between begin and commit (writer held). */
static char redacted_text[8192];

static void put_redacted(struct json_out *o, const char *s)
{
    bool cut = false;
    size_t n = redact_text(s, strlen(s), redacted_text, sizeof redacted_text, &cut);
    json_out_string(o, redacted_text, n);
}

static void put_flags(struct json_out *o, uint32_t flags)
{
    if (flags == 0)
        return;
    json_out_lit(o, ",\"flags\":[");
    bool first = true;
    for (unsigned i = 0; i < HOOK_FLAG_COUNT; i++) {
        if (!(flags & (1u << i)))
            continue;
        if (!first)
            json_out_lit(o, ",");
        first = false;
        json_out_cstring(o, hook_flag_names[i]);
    }
    json_out_lit(o, "]");
}

/* The delta fields shared by api_usage and web_api (docs/events.md, Keys and deltas). */
static void put_counted(struct json_out *o, uint64_t count, uint64_t first_t, uint64_t last_t)
{
    json_out_lit(o, ",\"count\":");
    json_out_u64(o, count);
    json_out_lit(o, ",\"first_t\":");
    json_out_u64(o, first_t);
    json_out_lit(o, ",\"last_t\":");
    json_out_u64(o, last_t);
}
void record_api_usage(const struct api_usage_record *r)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"api_usage\",\"api\":");
    json_out_cstring(o, r->api);
    json_out_lit(o, ",\"category\":");
    json_out_cstring(o, r->category);
    json_out_lit(o, ",\"caller\":");
    json_out_cstring(o, r->caller);
    if (r->subject != NULL && r->subject[0] != '\0') {
        json_out_lit(o, ",\"subject\":");
        put_redacted(o, r->subject);
    }
    put_counted(o, r->count, r->first_t, r->last_t);
    put_stack_ref(o, r->stack);
    put_flags(o, r->flags);
    json_out_lit(o, "}");
    event_writer_commit(o);
}

static const char *const subject_arg_names[] = {
    [SUBJECT_NONE] = NULL,   [SUBJECT_PATH] = "path",       [SUBJECT_PEER] = "peer",       [SUBJECT_LOCAL] = "local",
    [SUBJECT_HOST] = "host", [SUBJECT_PROGRAM] = "program", [SUBJECT_LIBRARY] = "library", [SUBJECT_PROT] = "prot",
};
static const char *const detail_arg_names[] = {
    [DETAIL_NONE] = NULL,
    [DETAIL_COMMAND] = "command",
    [DETAIL_ARGV0] = "argv0",
    [DETAIL_REQUEST] = NULL,
};

static const struct {
    int bit;
    const char *name;
} open_flag_names[] = {
    { O_CREAT, "O_CREAT" },       { O_EXCL, "O_EXCL" },       { O_NOCTTY, "O_NOCTTY" },
    { O_TRUNC, "O_TRUNC" },       { O_APPEND, "O_APPEND" },   { O_NONBLOCK, "O_NONBLOCK" },
    { O_DSYNC, "O_DSYNC" },       { O_DIRECT, "O_DIRECT" },   { O_DIRECTORY, "O_DIRECTORY" },
    { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
    { O_PATH, "O_PATH" },
};

static void put_oflags(struct json_out *o, int oflags)
{
    json_out_lit(o, "\"");
    switch (oflags & O_ACCMODE) {
    case O_WRONLY: json_out_lit(o, "O_WRONLY"); break;
    case O_RDWR: json_out_lit(o, "O_RDWR"); break;
    default: json_out_lit(o, "O_RDONLY"); break;
    }
    int rest = oflags;
    if ((rest & __O_TMPFILE) == __O_TMPFILE) {
        json_out_lit(o, "|O_TMPFILE");
        rest &= ~(__O_TMPFILE | O_DIRECTORY);
    }
    if ((rest & O_SYNC) == O_SYNC) {
        json_out_lit(o, "|O_SYNC");
        rest &= ~O_SYNC;
    }
    for (size_t i = 0; i < sizeof open_flag_names / sizeof *open_flag_names; i++)
        if (rest & open_flag_names[i].bit) {
            json_out_lit(o, "|");
            json_out_raw_cstring(o, open_flag_names[i].name);
        }
    json_out_lit(o, "\"");
}

/* Octal with a leading 0, as docs/events.md spells modes: "0644", "04755". */
static void put_mode(struct json_out *o, int mode)
{
    char s[8];
    size_t n = 0;
    s[n++] = '"';
    s[n++] = '0';
    if (mode & 07000)
        s[n++] = (char)('0' + ((mode >> 9) & 7));
    s[n++] = (char)('0' + ((mode >> 6) & 7));
    s[n++] = (char)('0' + ((mode >> 3) & 7));
    s[n++] = (char)('0' + (mode & 7));
    s[n++] = '"';
    json_out_raw(o, s, n);
}

void record_call(const struct call_event *e, const char *caller, unsigned stack)
{
    const struct hook_api_info *api = &hook_apis[e->api];
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"call\",\"api\":");
    json_out_cstring(o, api->id);
    json_out_lit(o, ",\"category\":");
    json_out_cstring(o, api->category);
    json_out_lit(o, ",\"tid\":");
    json_out_i64(o, e->tid);
    json_out_lit(o, ",\"t0\":");
    json_out_u64(o, e->t0);
    json_out_lit(o, ",\"t1\":");
    json_out_u64(o, e->t1 >= e->t0 ? e->t1 : e->t0);
    json_out_lit(o, ",\"caller\":");
    json_out_cstring(o, caller);
    put_stack_ref(o, stack);
    json_out_lit(o, ",\"args\":{");
    bool first = true;
#define NEXT_ARG(name)                    \
    do {                                  \
        if (!first)                       \
            json_out_lit(o, ",");         \
        first = false;                    \
        json_out_lit(o, "\"" name "\":"); \
    } while (0)
    if (e->subject_arg != SUBJECT_NONE) {
        if (!first)
            json_out_lit(o, ",");
        first = false;
        json_out_lit(o, "\"");
        json_out_raw_cstring(o, subject_arg_names[e->subject_arg]);
        json_out_lit(o, "\":");
        put_redacted(o, e->subject);
    }
    if (detail_arg_names[e->detail_arg] != NULL) {
        if (!first)
            json_out_lit(o, ",");
        first = false;
        json_out_lit(o, "\"");
        json_out_raw_cstring(o, detail_arg_names[e->detail_arg]);
        json_out_lit(o, "\":");
        put_redacted(o, e->detail);
    }
    if (e->fd >= 0) {
        NEXT_ARG("fd");
        json_out_i64(o, e->fd);
    }
    if (e->oflags >= 0) {
        NEXT_ARG("oflags");
        put_oflags(o, e->oflags);
    }
    if (e->mode >= 0) {
        NEXT_ARG("mode");
        put_mode(o, e->mode);
    }
#undef NEXT_ARG
    json_out_lit(o, "}");
    if (e->ret_kind != RET_NONE) {
        json_out_lit(o, ",\"result\":{\"ret\":");
        if (e->ret_kind == RET_INT)
            json_out_i64(o, e->ret);
        else
            json_out_raw(o, e->ret ? "true" : "null", 4);
        if (e->err >= 0) {
            json_out_lit(o, ",\"errno\":");
            json_out_i64(o, e->err);
        }
        json_out_lit(o, "}");
    }
    put_flags(o, e->flags | api->flags);
    json_out_lit(o, "}");
    event_writer_commit(o);
}

void record_web_api(const struct web_api_record *r)
{
    struct json_out *o = event_writer_begin();
    if (o == NULL)
        return;
    json_out_lit(o, "{\"kind\":\"web_api\",\"direction\":\"called\",\"method\":");
    json_out_cstring(o, r->method);
    json_out_lit(o, ",\"scheme\":\"https\"");
    if (r->host != NULL && r->host[0] != '\0') {
        json_out_lit(o, ",\"host\":");
        put_redacted(o, r->host);
    }
    json_out_lit(o, ",\"route\":");
    json_out_cstring(o, r->route);
    put_counted(o, r->count, r->first_t, r->last_t);
    json_out_lit(o, ",\"caller\":");
    json_out_cstring(o, r->caller);
    json_out_lit(o, "}");
    event_writer_commit(o);
}
