/* This thread's own block of the shim: the hook guard, the thread id, and
 * the fields the layers above keep per thread (its counter table,
 * thread_state.h; the caller cache, recorder.h). One TLS block, so that the
 * hot path reaches all of it from one thread-pointer offset. It sits at the
 * bottom: the writer and the real-symbol resolver take the guard too.
 *
 * TLS model: initial-exec. The shim is loaded at startup (LD_PRELOAD), so
 * its TLS sits in the static block and an access is one offset from the
 * thread pointer; the default model may call __tls_get_addr, which can
 * allocate on a thread's first access, inside malloc. The block is kept
 * small (a thread's static TLS comes out of its stack). */
#ifndef APITRACE_THREAD_SELF_H
#define APITRACE_THREAD_SELF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CALLER_CACHE 4

struct thread_table;

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

pid_t thread_tid(void);

#endif
