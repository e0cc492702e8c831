/* The next definition of every intercepted function (libc's, or another
 * preloaded tool's), as typed pointers generated from hook_table.def.
 * Resolved once: libc's in the constructor (or at the first hook call, when
 * another library's constructor calls us before ours ran), OpenSSL's when
 * libssl is first seen in the process. Only symbols some loaded object
 * defines are looked up: dlsym of a missing symbol sets dlerror, which
 * allocates. NULL means the symbol does not exist. */
#ifndef APITRACE_REAL_SYMBOLS_H
#define APITRACE_REAL_SYMBOLS_H

#include <stdbool.h>

#include "hook_types.h"

struct real_functions {
#define HOOK(ns, name, category, shape, flags, ret, params, args) ret(*name) params;
#define HOOK_V HOOK
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
};

extern struct real_functions real __attribute__((visibility("hidden")));

/* libc's functions; idempotent. Runs with the hook guard held: allocations
 * made meanwhile by the loader are served from a small static arena. */
void real_symbols_resolve_libc(void);
bool real_symbols_libc_resolved(void);

/* OpenSSL's functions, when libssl is loaded and they are not resolved yet.
 * Cheap when there is nothing to do. */
void real_symbols_resolve_openssl(void);

#endif
