/* dlopen: a call record naming the library, and the loaded object
 * registered as a code_unit at the next refresh. dlopen must see its real
 * caller (its return address picks the calling object, whose RUNPATH and
 * namespace govern the search), so the wrapper records first and then
 * tail-calls the real dlopen; the record therefore has no result. dlsym
 * (RTLD_NEXT is relative to the caller too) is a COUNT row whose generated
 * wrapper is a tail call as well. */
#include "hook_wrappers.h"

static __attribute__((noinline)) void record_dlopen(const char *library, void *ret_addr)
{
    code_units_note_dlopen();
    struct hook_call c;
    if (library == NULL || !recorder_call_begin(&c, API_dlopen, ret_addr))
        return;
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    call_event_text(e, SUBJECT_LIBRARY, library);
    recorder_call_publish(&c, e);
    errno = err;
}

HOOK_EXPORT void *dlopen(const char *library, int how)
{
    HOOK_ENSURE_REAL(libc, dlopen, void *);
    record_dlopen(library, __builtin_return_address(0));
    return real.dlopen(library, how);
}
