/* The variadic string formatters of the table, sprintf and __sprintf_chk:
 * counted like the generated COUNT rows, then formatted by the real
 * va_list forms (real.vsprintf, real.__vsprintf_chk), which reach libc
 * directly, so a call is counted once, as itself. */
#include <stdarg.h>

#include "hook_wrappers.h"

HOOK_EXPORT int sprintf(char *d, const char *fmt, ...)
{
    HOOK_ENSURE_REAL(libc, vsprintf, int);
    recorder_count(API_sprintf, __builtin_return_address(0));
    va_list ap;
    va_start(ap, fmt);
    int r = real.vsprintf(d, fmt, ap);
    va_end(ap);
    return r;
}

HOOK_EXPORT int __sprintf_chk(char *d, int fl, size_t dn, const char *fmt, ...)
{
    HOOK_ENSURE_REAL(libc, __vsprintf_chk, int);
    recorder_count(API___sprintf_chk, __builtin_return_address(0));
    va_list ap;
    va_start(ap, fmt);
    int r = real.__vsprintf_chk(d, fl, dn, fmt, ap);
    va_end(ap);
    return r;
}
