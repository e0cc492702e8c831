/* What every hook calls: count a call, or describe a low-frequency call as
 * a call event; and the flush that turns the per-thread counters and events
 * into api_usage, call and web_api records. The hook side never locks and
 * never allocates; the flush side runs with the writer held, from a hook
 * only when the writer lock is free (trylock), else at exit, exec and fork. */
#ifndef APITRACE_RECORDER_H
#define APITRACE_RECORDER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "code_units.h"
#include "event_clock.h"
#include "hook_api.h"
#include "thread_state.h"

/* Calls of one (api, caller, subject) written as call records: the first
 * CALLS_PER_KEY per file; every call is counted in api_usage. */
#define CALLS_PER_KEY 8
#define FLUSH_INTERVAL_NS 1000000000u

/* Set once recording started in this process; hooks do nothing without it. */
extern _Atomic bool recorder_on __attribute__((visibility("hidden")));
extern _Atomic uint64_t recorder_last_flush_ns __attribute__((visibility("hidden")));

void recorder_flush_due(void);
/* The out-of-line part of recorder_count: the thread's first call. */
struct thread_table *recorder_first_table(void);

/* The caller unit of a return address, through this thread's cache
 * (thread_self.h): the most recent hit is checked inline (a loop calling
 * malloc hits it every time), the rest out of line. A miss on a library
 * just dlopen'd registers it with a flush, when the writer is free. */
unsigned recorder_caller_unit_slow(uintptr_t ret_addr);

static inline __attribute__((always_inline)) unsigned recorder_caller_unit(uintptr_t addr)
{
    struct hook_thread *s = &hook_self;
    if (__builtin_expect(addr - s->cache_lo[0] < s->cache_hi[0] - s->cache_lo[0] &&
                             s->cache_generation ==
                                 atomic_load_explicit(&code_units_generation_value, memory_order_relaxed),
                         1))
        return s->cache_unit[0];
    return recorder_caller_unit_slow(addr);
}

/* The hot path: a TLS check and a counter (see thread_state.h). The
 * common case (recording, not nested, table made, caller in the cache's
 * first entry, not the first call since a flush, no clock check due) is
 * inline and calls nothing, so the wrapper needs no stack frame; anything
 * else goes out of line. */
void recorder_count_slow(enum hook_api api, void *ret_addr);

static inline __attribute__((always_inline)) void recorder_count(enum hook_api api, void *ret_addr)
{
    struct hook_thread *s = &hook_self;
    struct thread_table *t = s->table;
    uintptr_t addr = (uintptr_t)ret_addr;
    if (__builtin_expect(atomic_load_explicit(&recorder_on, memory_order_relaxed) && s->busy == 0 && t != NULL &&
                             addr - s->cache_lo[0] < s->cache_hi[0] - s->cache_lo[0] &&
                             s->cache_generation ==
                                 atomic_load_explicit(&code_units_generation_value, memory_order_relaxed),
                         1)) {
        struct usage_cell *c = &t->cells[s->cache_unit[0]][api];
        uint64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
        /* every 4096th call of a cell goes the slow way, which looks at the
         * clock: the periodic flush of a thread that only counts */
        if (__builtin_expect(n != atomic_load_explicit(&c->reported, memory_order_relaxed) && ((n + 1) & 0xfff) != 0,
                             1)) {
            /* a signal handler interrupting here and counting the same cell
             * would lose one count; it passes through instead, as busy is
             * set around the two instructions that matter */
            s->busy = 1;
            atomic_signal_fence(memory_order_seq_cst);
            atomic_store_explicit(&c->count, n + 1, memory_order_relaxed);
            atomic_signal_fence(memory_order_seq_cst);
            s->busy = 0;
            return;
        }
    }
    recorder_count_slow(api, ret_addr);
}

/* A call worth its own record: begin before the real call, event after it. */
struct hook_call {
    bool on;
    uint16_t api, unit;
    uint64_t t0;
    uintptr_t addr;
};

static inline bool recorder_call_begin(struct hook_call *c, enum hook_api api, void *ret_addr)
{
    c->on = false;
    if (!atomic_load_explicit(&recorder_on, memory_order_relaxed) || hook_self.busy)
        return false;
    thread_guard_enter();
    c->on = true;
    c->api = (uint16_t)api;
    c->unit = (uint16_t)recorder_caller_unit((uintptr_t)ret_addr);
    c->addr = (uintptr_t)ret_addr;
    c->t0 = event_clock_monotonic_ns();
    thread_guard_leave();
    return true;
}

/* After the real call: a ring slot to describe it in (NULL when the call is
 * only counted: ring full, no table), with the hook guard held until
 * recorder_call_publish. Both are no-ops when begin returned false. */
struct call_event *recorder_call_event(struct hook_call *c);
void recorder_call_publish(struct hook_call *c, struct call_event *e);

/* Filling an event; all accept e == NULL. */
void call_event_text(struct call_event *e, int subject_arg, const char *text);
void call_event_detail(struct call_event *e, int detail_arg, const char *text);
static inline void call_event_int_result(struct call_event *e, long ret, bool failed, int err)
{
    if (e == NULL)
        return;
    e->ret_kind = RET_INT;
    e->ret = ret;
    e->err = failed ? err : -1;
}
static inline void call_event_ptr_result(struct call_event *e, const void *ret, int err)
{
    if (e == NULL)
        return;
    e->ret_kind = RET_PTR;
    e->ret = ret != NULL;
    e->err = ret == NULL ? err : -1;
}

/* A web request seen in TLS plaintext (method, host, templated route). */
void recorder_web_request(enum hook_api api, void *ret_addr, const char *method, const char *host, const char *route);

enum flush_kind {
    FLUSH_TRY,        /* from a hook: only if the writer is free */
    FLUSH_WAIT,       /* exec, fork: everything so far, waiting for the writer */
    FLUSH_FINAL,      /* exit: the same, plus the closing notices */
    FLUSH_FATAL,      /* a fatal signal: only if the writer is free, no loader calls */
    FLUSH_FORK_CHILD, /* a fork child's first: waits, no loader calls (its
                       * lock may have been held by a thread of the parent) */
};
void recorder_flush(enum flush_kind kind);

/* Lifecycle: start (constructor, after the writer opened the file) and the
 * fork child (after its own file opened). */
void recorder_start(void);
void recorder_after_fork_child(void);

#endif
