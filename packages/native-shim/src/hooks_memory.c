/* The allocator (the hottest hooks: a TLS check and a counter), and mmap/
 * mprotect, where a mapping made executable is worth a call record. */
#include <stdint.h>
#include <string.h>

#include "hook_wrappers.h"

/* While libc's functions are being resolved the loader may allocate, and
 * the real malloc is not known yet: such early blocks come from here and are
 * never freed. */
static char bootstrap_arena[64 * 1024] __attribute__((aligned(16)));
static size_t bootstrap_used;

static bool from_bootstrap(const void *p)
{
    return (const char *)p >= bootstrap_arena && (const char *)p < bootstrap_arena + sizeof bootstrap_arena;
}

static void *bootstrap_alloc(size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (n == 0 || need > sizeof bootstrap_arena - bootstrap_used) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = bootstrap_arena + bootstrap_used;
    bootstrap_used += need;
    return p; /* static storage: already zero, as calloc wants */
}

/* Resolves libc when a hook runs before our constructor; true when the real
 * allocator is usable. */
static inline bool allocator_ready(void)
{
    if (__builtin_expect(real.malloc != NULL, 1))
        return true;
    real_symbols_resolve_libc();
    return real.malloc != NULL && real_symbols_libc_resolved();
}

HOOK_EXPORT void *malloc(size_t size)
{
    if (!allocator_ready())
        return bootstrap_alloc(size);
    recorder_count(API_malloc, __builtin_return_address(0));
    return real.malloc(size);
}

HOOK_EXPORT void *calloc(size_t n, size_t size)
{
    if (!allocator_ready()) {
        size_t total;
        if (__builtin_mul_overflow(n, size, &total)) {
            errno = ENOMEM;
            return NULL;
        }
        return bootstrap_alloc(total);
    }
    recorder_count(API_calloc, __builtin_return_address(0));
    return real.calloc(n, size);
}

HOOK_EXPORT void *realloc(void *p, size_t size)
{
    if (__builtin_expect(from_bootstrap(p), 0)) {
        /* Moved out of the arena; the old block's size is not known, but
         * it cannot extend past the arena's used end. */
        void *q = malloc(size);
        if (q != NULL) {
            size_t avail = (size_t)(bootstrap_arena + bootstrap_used - (char *)p);
            memcpy(q, p, size < avail ? size : avail);
        }
        return q;
    }
    if (!allocator_ready())
        return bootstrap_alloc(size);
    recorder_count(API_realloc, __builtin_return_address(0));
    return real.realloc(p, size);
}

HOOK_EXPORT void free(void *p)
{
    if (__builtin_expect(from_bootstrap(p), 0))
        return;
    if (!allocator_ready())
        return;
    recorder_count(API_free, __builtin_return_address(0));
    real.free(p);
}

static void prot_text(int prot, char out[4])
{
    out[0] = (prot & PROT_READ) ? 'r' : '-';
    out[1] = (prot & PROT_WRITE) ? 'w' : '-';
    out[2] = (prot & PROT_EXEC) ? 'x' : '-';
    out[3] = '\0';
}

/* Executable mappings get a call record (prot as subject), wx_memory when
 * writable at once; all others are only counted. */
static void record_exec_mapping(struct hook_call *c, int prot, long ret, bool failed, int err)
{
    char text[4];
    prot_text(prot, text);
    struct call_event *e = recorder_call_event(c);
    call_event_text(e, SUBJECT_PROT, text);
    call_event_int_result(e, ret, failed, err);
    if (e != NULL && (prot & PROT_WRITE))
        e->flags = FLAG_WX_MEMORY;
    recorder_call_publish(c, e);
}

#define MMAP_WRAPPER(name)                                                             \
    HOOK_EXPORT void *name(void *a, size_t n, int prot, int fl, int fd, off_t off)     \
    {                                                                                  \
        HOOK_ENSURE_REAL(libc, name, void *);                                          \
        if (!(prot & PROT_EXEC)) {                                                     \
            recorder_count(API_##name, __builtin_return_address(0));                   \
            return real.name(a, n, prot, fl, fd, off);                                 \
        }                                                                              \
        struct hook_call c;                                                            \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0)))         \
            return real.name(a, n, prot, fl, fd, off);                                 \
        void *r = real.name(a, n, prot, fl, fd, off);                                  \
        int err = errno;                                                               \
        record_exec_mapping(&c, prot, r == MAP_FAILED ? -1 : 0, r == MAP_FAILED, err); \
        errno = err;                                                                   \
        return r;                                                                      \
    }

MMAP_WRAPPER(mmap)
MMAP_WRAPPER(mmap64)

HOOK_EXPORT int mprotect(void *a, size_t n, int prot)
{
    HOOK_ENSURE_REAL(libc, mprotect, int);
    if (!(prot & PROT_EXEC)) {
        recorder_count(API_mprotect, __builtin_return_address(0));
        return real.mprotect(a, n, prot);
    }
    struct hook_call c;
    if (!recorder_call_begin(&c, API_mprotect, __builtin_return_address(0)))
        return real.mprotect(a, n, prot);
    int r = real.mprotect(a, n, prot);
    int err = errno;
    record_exec_mapping(&c, prot, r, r < 0, err);
    errno = err;
    return r;
}
