/* Opens, with their variadic mode and the glibc variants (open64, the
 * fortify __open_2 family), fopen/freopen with their mode strings, and the
 * umask that decides whether a created file is world-writable. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hook_wrappers.h"
#include "process_umask.h"

HOOK_EXPORT mode_t umask(mode_t mask)
{
    HOOK_ENSURE_REAL(libc, umask, mode_t);
    mode_t old = real.umask(mask);
    process_umask_set(mask);
    return old;
}

/* Everything after the real open: the call event for the path. */
static void record_open(struct hook_call *c, const char *path, int oflags, int mode, long ret, bool failed, int err,
                        bool ptr_result)
{
    struct call_event *e = recorder_call_event(c);
    call_event_text(e, SUBJECT_PATH, path);
    if (ptr_result)
        call_event_ptr_result(e, failed ? NULL : (void *)1, err);
    else
        call_event_int_result(e, ret, failed, err);
    if (e != NULL) {
        e->oflags = oflags;
        if (oflags & (O_CREAT | __O_TMPFILE)) {
            e->mode = mode & 07777;
            if (process_umask_world_writable((mode_t)mode))
                e->flags = FLAG_WORLD_WRITABLE;
        }
    }
    recorder_call_publish(c, e);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE; reading it
 * otherwise would read whatever is in the register. */
static bool takes_mode(int oflags)
{
    return (oflags & O_CREAT) || (oflags & __O_TMPFILE) == __O_TMPFILE;
}

#define OPEN_WRAPPER(name)                                                     \
    HOOK_EXPORT int name(const char *path, int oflags, ...)                    \
    {                                                                          \
        mode_t mode = 0;                                                       \
        if (takes_mode(oflags)) {                                              \
            va_list ap;                                                        \
            va_start(ap, oflags);                                              \
            mode = va_arg(ap, mode_t);                                         \
            va_end(ap);                                                        \
        }                                                                      \
        HOOK_ENSURE_REAL(libc, name, int);                                     \
        struct hook_call c;                                                    \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name(path, oflags, mode);                              \
        int r = real.name(path, oflags, mode);                                 \
        int err = errno;                                                       \
        record_open(&c, path, oflags, (int)mode, r, r < 0, err, false);        \
        errno = err;                                                           \
        return r;                                                              \
    }

#define OPENAT_WRAPPER(name)                                                   \
    HOOK_EXPORT int name(int dirfd, const char *path, int oflags, ...)         \
    {                                                                          \
        mode_t mode = 0;                                                       \
        if (takes_mode(oflags)) {                                              \
            va_list ap;                                                        \
            va_start(ap, oflags);                                              \
            mode = va_arg(ap, mode_t);                                         \
            va_end(ap);                                                        \
        }                                                                      \
        HOOK_ENSURE_REAL(libc, name, int);                                     \
        struct hook_call c;                                                    \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name(dirfd, path, oflags, mode);                       \
        int r = real.name(dirfd, path, oflags, mode);                          \
        int err = errno;                                                       \
        record_open(&c, path, oflags, (int)mode, r, r < 0, err, false);        \
        errno = err;                                                           \
        return r;                                                              \
    }

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)
OPENAT_WRAPPER(openat)
OPENAT_WRAPPER(openat64)

/* The fortify variants (_FORTIFY_SOURCE, open without O_CREAT) */
#define OPEN_2_WRAPPER(name)                                                   \
    HOOK_EXPORT int name(const char *path, int oflags)                         \
    {                                                                          \
        HOOK_ENSURE_REAL(libc, name, int);                                     \
        struct hook_call c;                                                    \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name(path, oflags);                                    \
        int r = real.name(path, oflags);                                       \
        int err = errno;                                                       \
        record_open(&c, path, oflags, 0, r, r < 0, err, false);                \
        errno = err;                                                           \
        return r;                                                              \
    }
#define OPENAT_2_WRAPPER(name)                                                 \
    HOOK_EXPORT int name(int dirfd, const char *path, int oflags)              \
    {                                                                          \
        HOOK_ENSURE_REAL(libc, name, int);                                     \
        struct hook_call c;                                                    \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name(dirfd, path, oflags);                             \
        int r = real.name(dirfd, path, oflags);                                \
        int err = errno;                                                       \
        record_open(&c, path, oflags, 0, r, r < 0, err, false);                \
        errno = err;                                                           \
        return r;                                                              \
    }
OPEN_2_WRAPPER(__open_2)
OPEN_2_WRAPPER(__open64_2)
OPENAT_2_WRAPPER(__openat_2)
OPENAT_2_WRAPPER(__openat64_2)

/* fopen's mode string as open flags: what the file was opened for. */
static int fopen_oflags(const char *how)
{
    if (how == NULL)
        return 0;
    int acc = O_RDONLY, extra = 0;
    switch (how[0]) {
    case 'w':
        acc = O_WRONLY;
        extra = O_CREAT | O_TRUNC;
        break;
    case 'a':
        acc = O_WRONLY;
        extra = O_CREAT | O_APPEND;
        break;
    default: break;
    }
    for (const char *p = how + 1; *p != '\0' && *p != ','; p++) {
        if (*p == '+')
            acc = O_RDWR;
        else if (*p == 'x')
            extra |= O_EXCL;
        else if (*p == 'e')
            extra |= O_CLOEXEC;
    }
    return acc | extra;
}

#define FOPEN_WRAPPER(name)                                                      \
    HOOK_EXPORT FILE *name(const char *path, const char *how)                    \
    {                                                                            \
        HOOK_ENSURE_REAL(libc, name, FILE *);                                    \
        struct hook_call c;                                                      \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0)))   \
            return real.name(path, how);                                         \
        FILE *r = real.name(path, how);                                          \
        int err = errno;                                                         \
        record_open(&c, path, fopen_oflags(how), 0666, 0, r == NULL, err, true); \
        errno = err;                                                             \
        return r;                                                                \
    }
#define FREOPEN_WRAPPER(name)                                                                  \
    HOOK_EXPORT FILE *name(const char *path, const char *how, FILE *f)                         \
    {                                                                                          \
        HOOK_ENSURE_REAL(libc, name, FILE *);                                                  \
        struct hook_call c;                                                                    \
        if (path == NULL || !recorder_call_begin(&c, API_##name, __builtin_return_address(0))) \
            return real.name(path, how, f);                                                    \
        FILE *r = real.name(path, how, f);                                                     \
        int err = errno;                                                                       \
        record_open(&c, path, fopen_oflags(how), 0666, 0, r == NULL, err, true);               \
        errno = err;                                                                           \
        return r;                                                                              \
    }
FOPEN_WRAPPER(fopen)
FOPEN_WRAPPER(fopen64)
FREOPEN_WRAPPER(freopen)
FREOPEN_WRAPPER(freopen64)
