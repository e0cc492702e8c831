/* The shim's life inside a process: start recording when loaded, write
 * process_end at exit (exit() and _exit() alike), give a forked child its
 * own file. Every entry point here is called by the host's own machinery
 * (ld.so, exit, fork), so each saves and restores errno: the application
 * must see the errno it would have seen without us. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "code_units.h"
#include "event_records.h"
#include "event_writer.h"
#include "exec_env.h"
#include "process_umask.h"
#include "real_symbols.h"
#include "recorder.h"
#include "thread_state.h"

void hooks_signal_install(void);

/* APITRACE_DIR as read at startup, made absolute so that a later chdir does
 * not move a forked child's file elsewhere. */
static char run_dir[PATH_MAX];
static bool exit_handler_registered;

static const char *absolute_run_dir(const char *dir)
{
    size_t n = strlen(dir);
    if (dir[0] == '/') {
        if (n >= sizeof run_dir)
            return dir; /* too long: the writer reports ENAMETOOLONG */
        memcpy(run_dir, dir, n + 1);
        return run_dir;
    }
    if (getcwd(run_dir, sizeof run_dir) == NULL)
        return dir;
    size_t cwd_n = strlen(run_dir);
    if (cwd_n + 1 + n >= sizeof run_dir)
        return dir;
    run_dir[cwd_n] = '/';
    memcpy(run_dir + cwd_n + 1, dir, n + 1);
    return run_dir;
}

typedef void (*exit_now_fn)(int) __attribute__((noreturn));
/* The next _exit in lookup order (libc's, or another preloaded tool's). */
static exit_now_fn next_exit_now;

/* on_exit rather than atexit: it hands us the exit status. */
static void record_exit(int status, void *unused)
{
    (void)unused;
    int saved_errno = errno;
    recorder_flush(FLUSH_FINAL);
    /* The parent sees status & 0377 (exit(-1) is 255); record that. */
    record_process_end(true, status & 0xff);
    errno = saved_errno;
}

static void before_fork(void)
{
    int saved_errno = errno;
    event_writer_before_fork();
    errno = saved_errno;
}

static void after_fork_in_parent(void)
{
    int saved_errno = errno;
    event_writer_after_fork_parent();
    errno = saved_errno;
}

/* Runs in the child before fork() returns there. The child is single-threaded
 * but other threads' locks (malloc, stdio, tz) may be frozen held, so this
 * path uses syscalls and our own freshly reset state only. */
static void after_fork_in_child(void)
{
    int saved_errno = errno;
    unsigned seq;
    recorder_after_fork_child();
    if (event_writer_after_fork_child() && event_writer_open(event_writer_dir(), getpid(), &seq)) {
        record_process_start(ORIGIN_FORK, seq);
        recorder_flush(FLUSH_FORK_CHILD); /* the code units, into the child's file */
    } else {
        atomic_store(&recorder_on, false);
    }
    errno = saved_errno;
}

/* _exit and _Exit skip exit handlers and destructors, yet they are how many
 * processes end: dash's "exit" builtin, a forked child whose exec failed.
 * These two (our only exports) end the file, then exit for real. In a vfork
 * child the writer sees another pid and writes nothing. */
static __attribute__((noreturn)) void end_and_exit_now(int status)
{
    recorder_flush(FLUSH_FINAL);
    record_process_end(true, status & 0xff);
    if (next_exit_now != NULL)
        next_exit_now(status);
    for (;;) /* what glibc's _exit does */
        syscall(SYS_exit_group, status);
}

__attribute__((visibility("default"), noreturn)) void _exit(int status)
{
    end_and_exit_now(status);
}

__attribute__((visibility("default"), noreturn)) void _Exit(int status)
{
    end_and_exit_now(status);
}

/* The path LD_PRELOAD named us by, for re-injection. */
static const char *own_path(void)
{
    Dl_info info;
    if (dladdr((void *)&own_path, &info) != 0 && info.dli_fname != NULL)
        return info.dli_fname;
    return "";
}

__attribute__((constructor)) static void start_recording(void)
{
    int saved_errno = errno;
    thread_guard_enter();
    real_symbols_resolve_libc();
    thread_state_init();
    /* Resolved even when inert: _exit above is always in place. Until this
     * runs (an earlier constructor exiting), the raw syscall serves. */
    if (real.dlsym != NULL)
        next_exit_now = (exit_now_fn)real.dlsym(RTLD_NEXT, "_exit");
    const char *dir = getenv("APITRACE_DIR");
    unsigned seq;

    if (dir != NULL && dir[0] != '\0' && event_writer_open(absolute_run_dir(dir), getpid(), &seq)) {
        process_umask_read();
        exec_env_init(own_path(), event_writer_dir());
        /* Registered from a preloaded constructor, before main's and before
         * ld.so's own exit handler, so it runs after every other exit
         * handler and every library destructor, and process_end comes last. */
        exit_handler_registered = on_exit(record_exit, NULL) == 0;
        pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
        /* A file already taken for this pid means an earlier image of this
         * process recorded before it exec'd. */
        record_process_start(seq > 0 ? ORIGIN_EXEC : ORIGIN_START, seq);
        code_units_refresh(UNITS_AT_STARTUP);
        if (code_units_libssl_loaded())
            real_symbols_resolve_openssl();
        recorder_start();
        hooks_signal_install();
    }
    thread_guard_leave();
    errno = saved_errno;
}

/* Runs from ld.so's exit handler, which comes before record_exit (see
 * above): then just flush. Without our exit handler (on_exit failed), this
 * is the last chance to end the file, without an exit code. Never both:
 * the writer accepts nothing after process_end. */
__attribute__((destructor)) static void flush_at_unload(void)
{
    int saved_errno = errno;
    recorder_flush(FLUSH_WAIT);
    if (exit_handler_registered)
        event_writer_flush();
    else
        record_process_end(false, 0);
    errno = saved_errno;
}
