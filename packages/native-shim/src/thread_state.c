#include "thread_state.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic(struct thread_table *) tables;
static pthread_key_t exit_key;
static bool exit_key_made;

/* Thread exit (pthread key destructor): the flusher merges what is left and
 * then hands the table to the next new thread. Calls this thread still
 * makes after this point (later destructors) go uncounted. */
static void thread_exited(void *table)
{
    struct thread_table *t = table;
    hook_self.exiting = true;
    hook_self.table = NULL;
    atomic_store_explicit(&t->state, TABLE_EXITED, memory_order_release);
}

void thread_state_init(void)
{
    if (!exit_key_made)
        exit_key_made = pthread_key_create(&exit_key, thread_exited) == 0;
}

static struct thread_table *reuse_free_table(void)
{
    for (struct thread_table *t = atomic_load(&tables); t != NULL; t = t->next) {
        int expected = TABLE_FREE;
        if (atomic_compare_exchange_strong(&t->state, &expected, TABLE_ACTIVE))
            return t;
    }
    return NULL;
}

struct thread_table *thread_table_get(void)
{
    struct thread_table *t = hook_self.table;
    if (t != NULL || hook_self.exiting)
        return t;
    t = reuse_free_table();
    if (t == NULL) {
        /* A raw syscall: no allocator, no lock, fine in any context. */
        long p = syscall(SYS_mmap, NULL, sizeof *t, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == -1)
            return NULL;
        t = (struct thread_table *)p;
        atomic_store(&t->state, TABLE_ACTIVE);
        struct thread_table *head = atomic_load(&tables);
        do
            t->next = head;
        while (!atomic_compare_exchange_weak(&tables, &head, t));
    }
    hook_self.table = t;
    /* Keys below 32 live in the thread descriptor: no allocation. */
    if (exit_key_made)
        pthread_setspecific(exit_key, t);
    return t;
}

struct thread_table *thread_tables_first(void)
{
    return atomic_load(&tables);
}

void thread_table_release_if_exited(struct thread_table *t)
{
    int expected = TABLE_EXITED;
    atomic_compare_exchange_strong(&t->state, &expected, TABLE_FREE);
}

void thread_tables_after_fork_child(void)
{
    unsigned units = code_units_count();
    hook_self.tid = 0;
    for (struct thread_table *t = atomic_load(&tables); t != NULL; t = t->next) {
        if (t != hook_self.table)
            atomic_store(&t->state, TABLE_FREE); /* its thread is not in this process */
        /* Only cells that differ are written, so the child does not copy
         * every page of every table. */
        for (unsigned u = 0; u < units; u++)
            for (unsigned a = 0; a < API_COUNT; a++) {
                struct usage_cell *c = &t->cells[u][a];
                uint64_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
                if (atomic_load_explicit(&c->reported, memory_order_relaxed) != n)
                    atomic_store_explicit(&c->reported, n, memory_order_relaxed);
            }
        uint64_t reserved = atomic_load(&t->reserved);
        for (uint64_t i = atomic_load(&t->drained); i < reserved; i++)
            atomic_store(&t->ring[i % CALL_RING].ready, 0);
        atomic_store(&t->drained, reserved);
        if (atomic_load(&t->calls_dropped) != 0)
            atomic_store(&t->calls_dropped, 0);
    }
}
