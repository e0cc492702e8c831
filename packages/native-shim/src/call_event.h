/* A low-frequency call as a hook saw it: filled by the hook (recorder.h),
 * queued in its thread's ring (thread_state.h), formatted later by the
 * flusher (event_records.h). Types only, so each of them can include it. */
#ifndef APITRACE_CALL_EVENT_H
#define APITRACE_CALL_EVENT_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define CALL_TEXT_MAX 1024
#define CALL_DETAIL_MAX 512

enum call_event_kind { EVENT_CALL = 1, EVENT_WEB };
enum call_ret_kind { RET_NONE, RET_INT, RET_PTR };
/* Under which argument name the subject text goes (docs/events.md). */
enum call_subject_arg {
    SUBJECT_NONE,
    SUBJECT_PATH,
    SUBJECT_PEER,
    SUBJECT_LOCAL,
    SUBJECT_HOST,
    SUBJECT_PROGRAM,
    SUBJECT_LIBRARY,
    SUBJECT_PROT
};
enum call_detail_arg { DETAIL_NONE, DETAIL_COMMAND, DETAIL_ARGV0, DETAIL_REQUEST };

struct call_event {
    _Atomic uint32_t ready; /* set last by the producer, cleared by the flusher */
    uint8_t kind, subject_arg, detail_arg, ret_kind;
    uint16_t api, unit;
    uint32_t flags;
    pid_t tid;
    uintptr_t addr; /* the wrapper's return address: the calling site */
    uint64_t t0, t1;
    int64_t ret;
    int err;
    int fd, oflags, mode; /* -1: not an argument of this call */
    char subject[CALL_TEXT_MAX];
    char detail[CALL_DETAIL_MAX];
};

#endif
