/* process_end for a process killed by a fatal signal it does not handle
 * itself. At start, each of these signals whose disposition is the default
 * gets our handler; it writes what is buffered and process_end (reason
 * "signal"), puts the default back and raises the signal again, so the
 * process dies exactly as it would have (same signal, same core dump).
 *
 * The handler must stay invisible: sigaction and signal report the
 * default where ours is installed, and a handler the application installs
 * simply replaces ours. */
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "event_records.h"
#include "hook_wrappers.h"

static const int fatal_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGPIPE, SIGTERM
};
/* Whether our handler is the current one, per signal number. */
static _Atomic bool ours[NSIG];

static bool watched(int sig)
{
    return sig > 0 && sig < NSIG && atomic_load(&ours[sig]);
}

static void on_fatal_signal(int sig)
{
    int saved = errno;
    if (atomic_exchange(&ours[sig], false) && real.sigaction != NULL) {
        recorder_flush(FLUSH_FATAL);
        record_process_end_signal(sig);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        real.sigaction(sig, &dfl, NULL);
        /* pending until this handler returns; a fault recurs at once */
        syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
    }
    errno = saved;
}

void hooks_signal_install(void)
{
    if (real.sigaction == NULL)
        return;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++) {
        int sig = fatal_signals[i];
        struct sigaction now;
        if (real.sigaction(sig, NULL, &now) != 0 || (now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sa.sa_flags = SA_RESTART | SA_ONSTACK;
        sigfillset(&sa.sa_mask);
        atomic_store(&ours[sig], true);
        if (real.sigaction(sig, &sa, NULL) != 0)
            atomic_store(&ours[sig], false);
    }
}

HOOK_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    HOOK_ENSURE_REAL(libc, sigaction, int);
    recorder_count(API_sigaction, __builtin_return_address(0));
    if (!watched(sig))
        return real.sigaction(sig, act, old);
    int r = real.sigaction(sig, act, old);
    if (r == 0) {
        if (old != NULL) {
            /* what the application would have seen: the default */
            memset(old, 0, sizeof *old);
            old->sa_handler = SIG_DFL;
        }
        if (act != NULL)
            atomic_store(&ours[sig], false);
    }
    return r;
}

HOOK_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    HOOK_ENSURE_REAL(libc, signal, sighandler_t);
    recorder_count(API_signal, __builtin_return_address(0));
    bool was_ours = watched(sig);
    sighandler_t previous = real.signal(sig, handler);
    if (previous == SIG_ERR || !was_ours)
        return previous;
    atomic_store(&ours[sig], false);
    return SIG_DFL;
}
