/* What every wrapper file (hook_wrappers.c, hooks_*.c) includes: the real
 * functions, the recorder, and the few macros wrappers share. */
#ifndef APITRACE_HOOK_WRAPPERS_H
#define APITRACE_HOOK_WRAPPERS_H

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "hook_types.h"
#include "real_symbols.h"
#include "recorder.h"

#define HOOK_EXPORT __attribute__((visibility("default")))

/* What a wrapper returns when no loaded object defines its function (it can
 * only be called by a program that would not have started without us):
 * the function's usual failure, with ENOSYS. */
#define HOOK_MISSING_RESULT(ret) __builtin_choose_expr(__builtin_classify_type((ret)0) == 5, (ret)0, (ret) - 1)

static inline void real_symbols_ensure_libc(void)
{
    real_symbols_resolve_libc();
}
static inline void real_symbols_ensure_openssl(void)
{
    real_symbols_resolve_openssl();
}

/* Before our constructor ran (another library's constructor calling us),
 * or for OpenSSL before libssl was seen: resolve now. */
#define HOOK_ENSURE_REAL(ns, name, ret)               \
    do {                                              \
        if (__builtin_expect(real.name == NULL, 0)) { \
            real_symbols_ensure_##ns();               \
            if (real.name == NULL) {                  \
                errno = ENOSYS;                       \
                return HOOK_MISSING_RESULT(ret);      \
            }                                         \
        }                                             \
    } while (0)

#define HOOK_ENSURE_REAL_VOID(ns, name)               \
    do {                                              \
        if (__builtin_expect(real.name == NULL, 0)) { \
            real_symbols_ensure_##ns();               \
            if (real.name == NULL)                    \
                return;                               \
        }                                             \
    } while (0)

#endif
