/* Per-thread recording state: a table of counters plus a ring of call
 * events that only its thread writes and only the flushing thread reads.
 * This is what keeps locks off the hooks. The table and the ring live in a
 * region mmap'd on the thread's first counted call; the thread's TLS block
 * (thread_self.h) only points to it. */
#ifndef APITRACE_THREAD_STATE_H
#define APITRACE_THREAD_STATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "call_event.h"
#include "code_units.h"
#include "hook_api.h"
#include "thread_self.h"

#define CALL_RING 64

/* One counter per (caller unit, api). Only the owning thread writes count,
 * first_t and first_addr; only the flusher writes reported. Deltas are
 * count - reported, so nobody ever resets a counter another thread may be
 * adding to. */
struct usage_cell {
    _Atomic uint64_t count;
    _Atomic uint64_t reported;
    _Atomic uint64_t first_t;     /* first call since the last flush */
    _Atomic uintptr_t first_addr; /* its return address: the calling site */
};

enum thread_table_state { TABLE_ACTIVE, TABLE_EXITED, TABLE_FREE };

struct thread_table {
    struct thread_table *next; /* registry: pushed once, never removed */
    _Atomic int state;
    _Atomic uint64_t reserved;      /* ring slots handed out (signal-safe xadd) */
    _Atomic uint64_t drained;       /* ring slots the flusher has consumed */
    _Atomic uint64_t calls_dropped; /* ring full: counted without their subject */
    struct call_event ring[CALL_RING];
    struct usage_cell cells[CODE_UNITS_MAX][API_COUNT];
};

/* This thread's table, made on first use; NULL when no memory could be
 * mapped (the call then goes uncounted) or the thread is exiting. */
struct thread_table *thread_table_get(void);

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
