/* Per-thread recording state: the hook guard, the caller cache, and a table
 * of counters plus a ring of call events that only this thread writes and
 * only the flushing thread reads. This is what keeps locks off the hooks.
 *
 * TLS model: initial-exec. The shim is loaded at startup (LD_PRELOAD), so
 * its TLS sits in the static block and an access is one offset from the
 * thread pointer; the default model may call __tls_get_addr, which can
 * allocate on a thread's first access, inside malloc. The TLS part is kept
 * small (a thread's static TLS comes out of its stack): the table and the
 * ring live in a region mmap'd on the thread's first counted call. */
#ifndef APITRACE_THREAD_STATE_H
#define APITRACE_THREAD_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "code_units.h"
#include "hook_api.h"

#define CALLER_CACHE 4
#define CALL_RING 64
#define CALL_TEXT_MAX 1024
#define CALL_DETAIL_MAX 512

/* One counter per (caller unit, api). Only the owning thread writes count,
 * first_t and first_addr; only the flusher writes reported. Deltas are
 * count - reported, so nobody ever resets a counter another thread may be
 * adding to. */
struct usage_cell {
    _Atomic uint64_t count;
    _Atomic uint64_t reported;
    _Atomic uint64_t first_t;      /* first call since the last flush */
    _Atomic uintptr_t first_addr;  /* its return address: the calling site */
};

enum call_event_kind { EVENT_CALL = 1, EVENT_WEB };
enum call_ret_kind { RET_NONE, RET_INT, RET_PTR };
/* Under which argument name the subject text goes (docs/events.md). */
enum call_subject_arg { SUBJECT_NONE, SUBJECT_PATH, SUBJECT_PEER, SUBJECT_LOCAL, SUBJECT_HOST,
                        SUBJECT_PROGRAM, SUBJECT_LIBRARY, SUBJECT_PROT };
enum call_detail_arg { DETAIL_NONE, DETAIL_COMMAND, DETAIL_ARGV0, DETAIL_REQUEST };

/* A low-frequency call as the hook saw it, formatted later by the flusher. */
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

enum thread_table_state { TABLE_ACTIVE, TABLE_EXITED, TABLE_FREE };

struct thread_table {
    struct thread_table *next; /* registry: pushed once, never removed */
    _Atomic int state;
    _Atomic uint64_t reserved;  /* ring slots handed out (signal-safe xadd) */
    _Atomic uint64_t drained;   /* ring slots the flusher has consumed */
    _Atomic uint64_t calls_dropped; /* ring full: counted without their subject */
    struct call_event ring[CALL_RING];
    struct usage_cell cells[CODE_UNITS_MAX][API_COUNT];
};

struct hook_thread {
    /* Inside our own code on this thread (a hook's bookkeeping, the writer,
     * the constructor): hooks pass straight through. A signal handler that
     * interrupts us and calls a hooked function is thereby not recorded,
     * and never waits for us. */
    volatile uint8_t busy; /* nesting depth */
    bool exiting;
    pid_t tid;
    struct thread_table *table;
    uint32_t cache_generation;
    uintptr_t cache_lo[CALLER_CACHE], cache_hi[CALLER_CACHE];
    uint16_t cache_unit[CALLER_CACHE];
};

extern __thread struct hook_thread hook_self __attribute__((tls_model("initial-exec"), visibility("hidden")));

static inline void thread_guard_enter(void)
{
    hook_self.busy++;
    atomic_signal_fence(memory_order_seq_cst);
}

static inline void thread_guard_leave(void)
{
    atomic_signal_fence(memory_order_seq_cst);
    hook_self.busy--;
}

/* This thread's table, made on first use; NULL when no memory could be
 * mapped (the call then goes uncounted) or the thread is exiting. */
struct thread_table *thread_table_get(void);

pid_t thread_tid(void);

/* The caller unit of a return address, through the per-thread cache: the
 * most recent hit is checked inline (a loop calling malloc hits it every
 * time), the rest out of line. */
unsigned thread_caller_unit_slow(uintptr_t ret_addr);

static inline __attribute__((always_inline)) unsigned thread_caller_unit(uintptr_t addr)
{
    struct hook_thread *s = &hook_self;
    if (__builtin_expect(addr - s->cache_lo[0] < s->cache_hi[0] - s->cache_lo[0] &&
                             s->cache_generation ==
                                 atomic_load_explicit(&code_units_generation_value, memory_order_relaxed),
                         1))
        return s->cache_unit[0];
    return thread_caller_unit_slow(addr);
}

/* Iterates over every registered table (the flusher). */
struct thread_table *thread_tables_first(void);

/* After a merge: tables whose thread exited become reusable. */
void thread_table_release_if_exited(struct thread_table *t);

/* Fork child: only this thread exists; everything counted so far belongs to
 * the parent. */
void thread_tables_after_fork_child(void);

/* Constructor: the key whose destructor notices thread exit. */
void thread_state_init(void);

#endif
