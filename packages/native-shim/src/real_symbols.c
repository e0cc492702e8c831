#include "real_symbols.h"

#include <dlfcn.h>
#include <link.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "elf_dynamic.h"
#include "hook_api.h"
#include "thread_self.h"

struct real_functions real;

static _Atomic int libc_state;    /* 0: not yet, 1: resolving, 2: done */
static _Atomic int openssl_state; /* 0: not yet, 1: resolving, 2: done */

#define OBJECTS_MAX 256
struct object_list {
    struct elf_dynamic dyn[OBJECTS_MAX];
    size_t count;
    bool after_us;
};
/* Static: resolution can run before anything else in the process. */
static struct object_list objects;

static void own_anchor(void) {}

static int collect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct object_list *l = data;
    bool ours = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && (uintptr_t)&own_anchor >= a && (uintptr_t)&own_anchor < a + ph->p_memsz)
            ours = true;
    }
    if (ours) {
        l->after_us = true;
        return 0;
    }
    /* RTLD_NEXT looks only at objects after ours in the search order. */
    if (l->after_us && l->count < OBJECTS_MAX && elf_dynamic_read(info, &l->dyn[l->count]))
        l->count++;
    return 0;
}

/* Looks name up the way RTLD_NEXT would, but only when some object after us
 * defines it: a failing dlsym would allocate its error message. */
static void *next_symbol(const char *name, bool allow_hidden)
{
    for (size_t i = 0; i < objects.count; i++) {
        const char *version;
        if (!elf_dynamic_defines(&objects.dyn[i], name, allow_hidden, &version))
            continue;
        /* dlvsym is not intercepted, so this reaches libc directly; dlsym
         * would reach our own wrapper. */
        if (version != NULL)
            return dlvsym(RTLD_NEXT, name, version);
        return real.dlsym != NULL ? real.dlsym(RTLD_NEXT, name) : NULL;
    }
    return NULL;
}

static void resolve_namespace(enum hook_namespace ns)
{
    objects.count = 0;
    objects.after_us = false;
    dl_iterate_phdr(collect_object, &objects);
    /* The allocator and dlsym first: what the loader may call meanwhile. */
    if (ns == NS_libc) {
        real.malloc = next_symbol("malloc", false);
        real.calloc = next_symbol("calloc", false);
        real.realloc = next_symbol("realloc", false);
        real.free = next_symbol("free", false);
        real.dlsym = next_symbol("dlsym", false);
    }
#define HOOK(ns_, name, category, shape, flags, ret, params, args) \
    if (NS_##ns_ == ns && real.name == NULL)                       \
        real.name = (ret(*) params)next_symbol(#name, false);
#define HOOK_V(ns_, name, category, shape, flags, ret, params, args) \
    if (NS_##ns_ == ns && real.name == NULL)                         \
        real.name = (ret(*) params)next_symbol(#name, true);
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
}

void real_symbols_resolve_libc(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&libc_state, &expected, 1))
        return; /* done, or under way (the loader calling back into us) */
    thread_guard_enter();
    resolve_namespace(NS_libc);
    thread_guard_leave();
    atomic_store(&libc_state, 2);
}

bool real_symbols_libc_resolved(void)
{
    return atomic_load_explicit(&libc_state, memory_order_acquire) == 2;
}

void real_symbols_resolve_openssl(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&openssl_state, &expected, 1)) {
        /* Another thread resolves right now (a one-time wait, never for
         * ourselves: this thread's own resolution holds the hook guard, so
         * its hooks pass through and do not get here). */
        while (atomic_load(&openssl_state) == 1)
            sched_yield();
        return;
    }
    thread_guard_enter();
    resolve_namespace(NS_openssl);
    thread_guard_leave();
    /* Not done while libssl is absent: a later dlopen may bring it. */
    atomic_store(&openssl_state, real.SSL_write != NULL ? 2 : 0);
}
