/* The wrappers of every row of hook_table.def whose shape is generated:
 * COUNT, COUNT_VOID, PATH, CREATE, CHMOD. CUSTOM rows live in hooks_*.c.
 *
 * Each wrapper returns exactly what the real call returned, with the errno
 * it left: counting happens before the call and touches no errno; call
 * events are filled after it, with errno saved and restored around. */
#include "hook_wrappers.h"
#include "process_umask.h"

#define WRAP_CUSTOM(ns, name, flags, ret, params, args)

#define WRAP_COUNT(ns, name, flags, ret, params, args)           \
    HOOK_EXPORT ret name params                                  \
    {                                                            \
        HOOK_ENSURE_REAL(ns, name, ret);                         \
        recorder_count(API_##name, __builtin_return_address(0)); \
        return real.name args;                                   \
    }

#define WRAP_COUNT_VOID(ns, name, flags, ret, params, args)      \
    HOOK_EXPORT void name params                                 \
    {                                                            \
        HOOK_ENSURE_REAL_VOID(ns, name);                         \
        recorder_count(API_##name, __builtin_return_address(0)); \
        real.name args;                                          \
    }

#define WRAP_PATH_MODE(ns, name, ret, params, args, mode_of, flags_of)         \
    HOOK_EXPORT ret name params                                                \
    {                                                                          \
        HOOK_ENSURE_REAL(ns, name, ret);                                       \
        struct hook_call c;                                                    \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name args;                                             \
        ret r = real.name args;                                                \
        int err = errno;                                                       \
        struct call_event *e = recorder_call_event(&c);                        \
        call_event_text(e, SUBJECT_PATH, path);                                \
        call_event_int_result(e, r, r < 0, err);                               \
        if (e != NULL) {                                                       \
            e->mode = mode_of;                                                 \
            e->flags = flags_of;                                               \
        }                                                                      \
        recorder_call_publish(&c, e);                                          \
        errno = err;                                                           \
        return r;                                                              \
    }

#define WRAP_PATH(ns, name, flags, ret, params, args) WRAP_PATH_MODE(ns, name, ret, params, args, -1, 0)
/* creat, mkdir: the mode the file gets is the one asked for minus the umask */
#define WRAP_CREATE(ns, name, flags, ret, params, args)              \
    WRAP_PATH_MODE(ns, name, ret, params, args, (int)(mode & 07777), \
                   process_umask_world_writable(mode) ? FLAG_WORLD_WRITABLE : 0)
/* chmod: the mode is taken as given */
#define WRAP_CHMOD(ns, name, flags, ret, params, args) \
    WRAP_PATH_MODE(ns, name, ret, params, args, (int)(mode & 07777), (mode & S_IWOTH) ? FLAG_WORLD_WRITABLE : 0)

#define HOOK(ns, name, category, shape, flags, ret, params, args) WRAP_##shape(ns, name, flags, ret, params, args)
#define HOOK_V HOOK
#include "hook_table.def"
#undef HOOK
#undef HOOK_V
