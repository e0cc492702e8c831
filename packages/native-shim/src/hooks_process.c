/* Programs started: the exec family, posix_spawn, system, popen, clone.
 * An exec that succeeds never returns, so its call record is written (and
 * everything buffered flushed) before the real exec; the environment it
 * gets has LD_PRELOAD and APITRACE_DIR re-injected (exec_env.h).
 *
 * vfork is not wrapped: the child borrows the parent's stack, and a wrapper
 * returning into it twice breaks the parent's frame. Its children are seen
 * from their exec on (the exec hooks below touch no lock and allocate
 * nothing, so they are safe in a vfork child). */
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec_env.h"
#include "hook_wrappers.h"

extern char **environ;

static bool is_shell(const char *program)
{
    static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh" };
    if (program == NULL)
        return false;
    const char *base = strrchr(program, '/');
    base = base != NULL ? base + 1 : program;
    for (size_t i = 0; i < sizeof shells / sizeof *shells; i++)
        if (strcmp(base, shells[i]) == 0)
            return true;
    return false;
}

/* The call event of a program start: program, and the command string with
 * the shell flag when a shell is asked to run one (sh -c '...'). */
static void describe_start(struct call_event *e, const char *program, char *const argv[])
{
    call_event_text(e, SUBJECT_PROGRAM, program);
    if (argv != NULL && argv[0] != NULL && argv[1] != NULL && strcmp(argv[1], "-c") == 0 && argv[2] != NULL &&
        is_shell(program)) {
        call_event_detail(e, DETAIL_COMMAND, argv[2]);
        if (e != NULL)
            e->flags |= FLAG_SHELL;
    } else if (argv != NULL && argv[0] != NULL) {
        call_event_detail(e, DETAIL_ARGV0, argv[0]);
    }
}

/* Before an exec: its record, then everything buffered, to disk. */
static void before_exec(enum hook_api api, void *ret_addr, const char *program, char *const argv[])
{
    struct hook_call c;
    if (!recorder_call_begin(&c, api, ret_addr))
        return;
    struct call_event *e = recorder_call_event(&c);
    describe_start(e, program, argv);
    recorder_call_publish(&c, e);
    recorder_flush(FLUSH_WAIT);
}

HOOK_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    HOOK_ENSURE_REAL(libc, execve, int);
    int saved = errno;
    before_exec(API_execve, __builtin_return_address(0), path, argv);
    char *vec[exec_env_count(envp) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(envp, vec, &vars);
    errno = saved;
    return real.execve(path, argv, env);
}

HOOK_EXPORT int execv(const char *path, char *const argv[])
{
    HOOK_ENSURE_REAL(libc, execv, int);
    int saved = errno;
    before_exec(API_execv, __builtin_return_address(0), path, argv);
    char *vec[exec_env_count(environ) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(environ, vec, &vars);
    errno = saved;
    if (env != environ && real.execve != NULL)
        return real.execve(path, argv, env);
    return real.execv(path, argv);
}

HOOK_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    HOOK_ENSURE_REAL(libc, execvpe, int);
    int saved = errno;
    before_exec(API_execvpe, __builtin_return_address(0), file, argv);
    char *vec[exec_env_count(envp) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(envp, vec, &vars);
    errno = saved;
    return real.execvpe(file, argv, env);
}

HOOK_EXPORT int execvp(const char *file, char *const argv[])
{
    HOOK_ENSURE_REAL(libc, execvp, int);
    int saved = errno;
    before_exec(API_execvp, __builtin_return_address(0), file, argv);
    char *vec[exec_env_count(environ) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(environ, vec, &vars);
    errno = saved;
    if (env != environ && real.execvpe != NULL)
        return real.execvpe(file, argv, env);
    return real.execvp(file, argv);
}

/* "/proc/self/fd/<fd>", the name of what fd refers to */
static void fd_link(int fd, char out[32])
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    size_t n = 0;
    unsigned v = fd < 0 ? 0 : (unsigned)fd;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    memcpy(out, prefix, sizeof prefix - 1);
    for (size_t i = 0; i < n; i++)
        out[sizeof prefix - 1 + i] = digits[n - 1 - i];
    out[sizeof prefix - 1 + n] = '\0';
}

HOOK_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    HOOK_ENSURE_REAL(libc, fexecve, int);
    int saved = errno;
    char link[32], program[4096];
    fd_link(fd, link);
    long len = syscall(SYS_readlink, link, program, sizeof program - 1);
    program[len > 0 ? len : 0] = '\0';
    before_exec(API_fexecve, __builtin_return_address(0), program, argv);
    char *vec[exec_env_count(envp) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(envp, vec, &vars);
    errno = saved;
    return real.fexecve(fd, argv, env);
}

/* execl and friends: their argument lists as vectors, then the v forms. */
#define COLLECT_ARGS(first, argv_name, ap_after)       \
    size_t argc_ = 1;                                  \
    {                                                  \
        va_list count_ap;                              \
        va_start(count_ap, first);                     \
        while (va_arg(count_ap, const char *) != NULL) \
            argc_++;                                   \
        va_end(count_ap);                              \
    }                                                  \
    char *argv_name[argc_ + 1];                        \
    argv_name[0] = (char *)first;                      \
    va_list ap_after;                                  \
    va_start(ap_after, first);                         \
    for (size_t i_ = 1; i_ <= argc_; i_++)             \
        argv_name[i_] = va_arg(ap_after, char *);

HOOK_EXPORT int execl(const char *path, const char *arg, ...)
{
    HOOK_ENSURE_REAL(libc, execve, int);
    int saved = errno;
    COLLECT_ARGS(arg, argv, ap)
    va_end(ap);
    before_exec(API_execl, __builtin_return_address(0), path, argv);
    char *vec[exec_env_count(environ) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(environ, vec, &vars);
    errno = saved;
    return real.execve(path, argv, env);
}

HOOK_EXPORT int execlp(const char *file, const char *arg, ...)
{
    HOOK_ENSURE_REAL(libc, execvpe, int);
    int saved = errno;
    COLLECT_ARGS(arg, argv, ap)
    va_end(ap);
    before_exec(API_execlp, __builtin_return_address(0), file, argv);
    char *vec[exec_env_count(environ) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(environ, vec, &vars);
    errno = saved;
    return real.execvpe(file, argv, env);
}

HOOK_EXPORT int execle(const char *path, const char *arg, ...)
{
    HOOK_ENSURE_REAL(libc, execve, int);
    int saved = errno;
    COLLECT_ARGS(arg, argv, ap)
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    before_exec(API_execle, __builtin_return_address(0), path, argv);
    char *vec[exec_env_count(envp) + 3];
    struct exec_env_vars vars;
    char *const *env = exec_env_reinject(envp, vec, &vars);
    errno = saved;
    return real.execve(path, argv, env);
}

/* posix_spawn returns an error number instead of setting errno. */
#define SPAWN_WRAPPER(name)                                                                     \
    HOOK_EXPORT int name(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,    \
                         const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) \
    {                                                                                           \
        HOOK_ENSURE_REAL(libc, name, int);                                                      \
        char *vec[exec_env_count(envp) + 3];                                                    \
        struct exec_env_vars vars;                                                              \
        char *const *env = exec_env_reinject(envp, vec, &vars);                                 \
        struct hook_call c;                                                                     \
        if (!recorder_call_begin(&c, API_##name, __builtin_return_address(0)))                  \
            return real.name(pid, path, fa, attr, argv, env);                                   \
        int r = real.name(pid, path, fa, attr, argv, env);                                      \
        int err = errno;                                                                        \
        struct call_event *e = recorder_call_event(&c);                                         \
        describe_start(e, path, argv);                                                          \
        call_event_int_result(e, r, r != 0, r);                                                 \
        recorder_call_publish(&c, e);                                                           \
        errno = err;                                                                            \
        return r;                                                                               \
    }
SPAWN_WRAPPER(posix_spawn)
SPAWN_WRAPPER(posix_spawnp)

HOOK_EXPORT int system(const char *command)
{
    HOOK_ENSURE_REAL(libc, system, int);
    struct hook_call c;
    if (command == NULL || !recorder_call_begin(&c, API_system, __builtin_return_address(0)))
        return real.system(command);
    int r = real.system(command);
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    call_event_text(e, SUBJECT_PROGRAM, "/bin/sh");
    call_event_detail(e, DETAIL_COMMAND, command);
    call_event_int_result(e, r, r == -1, err);
    if (e != NULL)
        e->flags |= FLAG_SHELL;
    recorder_call_publish(&c, e);
    errno = err;
    return r;
}

HOOK_EXPORT FILE *popen(const char *command, const char *how)
{
    HOOK_ENSURE_REAL(libc, popen, FILE *);
    struct hook_call c;
    if (command == NULL || !recorder_call_begin(&c, API_popen, __builtin_return_address(0)))
        return real.popen(command, how);
    FILE *r = real.popen(command, how);
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    call_event_text(e, SUBJECT_PROGRAM, "/bin/sh");
    call_event_detail(e, DETAIL_COMMAND, command);
    call_event_ptr_result(e, r, err);
    if (e != NULL)
        e->flags |= FLAG_SHELL;
    recorder_call_publish(&c, e);
    errno = err;
    return r;
}

/* clone is only counted: its child runs fn on another stack, and the
 * trailing arguments are passed on as they came. */
HOOK_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    pid_t *ptid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *ctid = va_arg(ap, pid_t *);
    va_end(ap);
    HOOK_ENSURE_REAL(libc, clone, int);
    recorder_count(API_clone, __builtin_return_address(0));
    return real.clone(fn, stack, flags, arg, ptid, tls, ctid);
}
