/* The record kinds of the event contract (packages/core/schema/
 * events.schema.json), formatted here and only here. Hooks call these;
 * they never build JSON themselves. Each call is a no-op when the process
 * is not recording. */
#ifndef APITRACE_EVENT_RECORDS_H
#define APITRACE_EVENT_RECORDS_H

#include <stdbool.h>

#define EMITTER_NAME "libapitrace"
#define EMITTER_VERSION "0.1.0"

enum process_origin { ORIGIN_START, ORIGIN_FORK, ORIGIN_EXEC };

/* First record of a file; written out at once so that it survives an exec
 * or a kill that comes before the first flush. */
void record_process_start(enum process_origin origin, unsigned seq);

/* Last record of a file: reason "exit", with the exit code when known.
 * Carries the number of records in the file (itself included) and the
 * number dropped. Nothing is written after it. */
void record_process_end(bool has_exit_code, int exit_code);

/* level: info, warn or error; code: [a-z0-9_]+. */
void record_notice(const char *level, const char *code, const char *message);

#endif
