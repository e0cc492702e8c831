/* The record kinds of the event contract (packages/core/schema/
 * events.schema.json), formatted here and only here. Hooks call these;
 * they never build JSON themselves. Each call is a no-op when the process
 * is not recording. */
#ifndef APITRACE_EVENT_RECORDS_H
#define APITRACE_EVENT_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apitrace_version.h"

#define EMITTER_NAME "libapitrace"
#define EMITTER_VERSION APITRACE_VERSION

enum process_origin { ORIGIN_START, ORIGIN_FORK, ORIGIN_EXEC };

/* First record of a file; written out at once so that it survives an exec
 * or a kill that comes before the first flush. */
void record_process_start(enum process_origin origin, unsigned seq);

/* Last record of a file: reason "exit", with the exit code when known.
 * Carries the number of records in the file (itself included) and the
 * number dropped. Nothing is written after it. */
void record_process_end(bool has_exit_code, int exit_code);
/* The same for a process about to die of a signal: reason "signal". */
void record_process_end_signal(int sig);

/* level: info, warn or error; code: [a-z0-9_]+. */
void record_notice(const char *level, const char *code, const char *message);
/* The same with a subject and/or a count (count 0: none). */
void record_notice_about(const char *level, const char *code, const char *message, const char *subject);
void record_notice_count(const char *level, const char *code, const char *message, uint64_t count);

struct code_unit_record {
    const char *path, *how, *soname, *build_id; /* soname, build_id may be NULL */
    uintptr_t base;
    const char *const *needed;
    size_t needed_count;
};
void record_code_unit(const struct code_unit_record *r);

/* A native stack of one frame: the calling site, as an offset in the
 * calling unit (see caller_stacks.h). */
void record_stack(unsigned id, const char *unit, uintptr_t offset);

struct api_usage_record {
    const char *api, *category, *caller;
    const char *subject; /* NULL: none; redacted here */
    uint64_t count, first_t, last_t;
    uint32_t flags; /* enum hook_flag bits */
    unsigned stack; /* 0: none */
};
void record_api_usage(const struct api_usage_record *r);

struct call_event;
/* stack: the id of its calling site's stack record, 0 for none. */
void record_call(const struct call_event *e, const char *caller, unsigned stack);

struct web_api_record {
    const char *method, *host, *route, *caller;
    uint64_t count, first_t, last_t;
};
void record_web_api(const struct web_api_record *r);

#endif
