#include "event_writer.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_clock.h"
#include "event_file.h"
#include "thread_self.h"

#define FLUSH_INTERVAL_NS 1000000000u

enum writer_state { WRITER_OFF, WRITER_RECORDING, WRITER_ENDED };

static struct {
    pthread_mutex_t lock;
    _Atomic int state;
    const char *dir;
    int fd;
    pid_t pid; /* the process the file belongs to */
    dev_t dev; /* identity of the file behind fd, checked before writes */
    ino_t ino;
    bool warned;         /* the one stderr line was printed */
    char path[PATH_MAX]; /* of the file, to reopen it when the fd was taken */
    size_t len;
    uint64_t pending; /* records in buf */
    uint64_t written; /* records handed to write(2) */
    uint64_t dropped;
    _Atomic uint64_t dropped_reentrant;
    uint64_t last_flush_ns;
    struct json_out record;
    char buf[EVENT_WRITER_BUFFER];
} w = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* Set while this thread holds the writer lock, so a signal handler that
 * interrupts the writer and records again drops that record instead of
 * deadlocking on the non-recursive lock. initial-exec: the library is loaded
 * at startup (LD_PRELOAD), so its TLS is static and access is a plain
 * thread-pointer offset; the default dynamic model may call
 * __tls_get_addr, which can allocate on a thread's first access. */
static __thread bool in_writer __attribute__((tls_model("initial-exec")));
/* This thread took the lock in the fork prepare handler. Per thread: two
 * threads may fork at once, and only the one holding the lock may release
 * it (the child inherits the forking thread's copy). */
static __thread bool fork_locked __attribute__((tls_model("initial-exec")));
/* This thread holds the writer for a batch of records (a flush of the
 * hooks' counters); record_open: one of them is being formatted. A signal
 * handler that records while a record is open drops its record; between two
 * records of a batch it may write (process_end from _exit). */
static __thread bool in_batch __attribute__((tls_model("initial-exec")));
static __thread bool record_open __attribute__((tls_model("initial-exec")));

static void warn_recording_off(int err)
{
    if (w.warned)
        return;
    w.warned = true;

    /* strerrordesc_np: an untranslated static string; strerror may go
     * through gettext and its locks. */
    const char *why = strerrordesc_np(err);
    char line[1024];
    struct json_out o; /* just a bounded byte buffer here, not JSON */
    json_out_init(&o, line, sizeof line - 1);
    json_out_lit(&o, "apitrace: native: cannot write events to ");
    /* One line whatever the dir: control characters become '?', and a
     * very long dir is cut so the reason still fits. */
    size_t shown = 0;
    for (const char *d = w.dir; *d != '\0' && shown < 800; d++, shown++) {
        char c = (unsigned char)*d < 0x20 ? '?' : *d;
        json_out_raw(&o, &c, 1);
    }
    if (w.dir[shown] != '\0')
        json_out_lit(&o, "...");
    json_out_lit(&o, ": ");
    json_out_raw(&o, why ? why : "unknown error", strlen(why ? why : "unknown error"));
    json_out_lit(&o, " (recording off for this process)");
    line[o.len++] = '\n'; /* fits: the buffer holds the longest line plus one */
    ssize_t n;
    do {
        n = write(STDERR_FILENO, line, o.len);
    } while (n < 0 && errno == EINTR);
}

/* Our fd may have been closed, or closed and reused, by an application that
 * tidies its fds (daemons, shells' "exec 3>file"). Never write into a file
 * that is not ours. */
static bool fd_is_still_ours(void)
{
    struct stat st;
    return fstat(w.fd, &st) == 0 && st.st_dev == w.dev && st.st_ino == w.ino;
}

/* Recording off for good in this process; children inherit that. */
static void stop_recording(int err)
{
    if (w.fd >= 0 && fd_is_still_ours())
        close(w.fd);
    w.fd = -1;
    w.dropped += w.pending;
    w.pending = 0;
    w.len = 0;
    atomic_store(&w.state, WRITER_OFF);
    warn_recording_off(err);
}

bool event_writer_open(const char *dir, pid_t pid, unsigned *seq)
{
    w.dir = dir;
    int fd = event_file_create(dir, pid, seq);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        fd = -err;
    }
    if (fd < 0) {
        warn_recording_off(-fd);
        return false;
    }
    w.fd = fd;
    w.pid = pid;
    event_file_path(dir, pid, *seq, w.path);
    w.dev = st.st_dev;
    w.ino = st.st_ino;
    w.len = 0;
    w.pending = w.written = w.dropped = 0;
    atomic_store(&w.dropped_reentrant, 0);
    w.last_flush_ns = event_clock_monotonic_ns();
    atomic_store(&w.state, WRITER_RECORDING);
    return true;
}

bool event_writer_is_recording(void)
{
    return atomic_load(&w.state) == WRITER_RECORDING;
}

const char *event_writer_dir(void)
{
    return w.dir;
}

/* The application closed our fd or dup2'd over it: open our file again
 * (the same inode, never through a link) and go on. */
static bool take_file_back(void)
{
    int fd = event_file_reopen(w.path);
    struct stat st;
    if (fd < 0)
        return false;
    if (fstat(fd, &st) != 0 || st.st_dev != w.dev || st.st_ino != w.ino) {
        close(fd);
        return false;
    }
    w.fd = fd;
    return true;
}

static void flush_locked(void)
{
    if (w.len == 0 || atomic_load(&w.state) == WRITER_OFF)
        return;
    if (!fd_is_still_ours() && !take_file_back()) {
        w.fd = -1; /* not ours: never close it */
        stop_recording(EBADF);
        return;
    }
    size_t off = 0;
    while (off < w.len) {
        ssize_t n = write(w.fd, w.buf + off, w.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* Stop for good: a partial line may be on disk, and readers
             * accept a truncated last line but not one in the middle. */
            stop_recording(n < 0 ? errno : ENOSPC);
            return;
        }
        off += (size_t)n;
    }
    w.written += w.pending;
    w.pending = 0;
    w.len = 0;
    w.last_flush_ns = event_clock_monotonic_ns();
}

/* The hook guard is held with the lock: what the writer calls (write,
 * fstat, open) may be our own hooks, which then pass straight through. */
static bool lock_writer(void)
{
    if (in_writer)
        return false;
    thread_guard_enter();
    pthread_mutex_lock(&w.lock);
    in_writer = true;
    return true;
}

static bool try_lock_writer(void)
{
    if (in_writer)
        return false;
    thread_guard_enter();
    if (pthread_mutex_trylock(&w.lock) != 0) {
        thread_guard_leave();
        return false;
    }
    in_writer = true;
    return true;
}

static void unlock_writer(void)
{
    in_writer = false;
    pthread_mutex_unlock(&w.lock);
    thread_guard_leave();
}

struct json_out *event_writer_begin(void)
{
    if (atomic_load(&w.state) != WRITER_RECORDING)
        return NULL;
    /* A vfork child (or a raw clone) shares or copies our state without
     * running the fork handlers: the file and buffer are the parent's. */
    if (getpid() != w.pid)
        return NULL;
    if (in_batch && !record_open) {
        record_open = true;
    } else if (!lock_writer()) {
        atomic_fetch_add(&w.dropped_reentrant, 1);
        return NULL;
    }
    int saved_errno = errno;
    if (w.len + EVENT_RECORD_MAX + 1 > sizeof w.buf)
        flush_locked();
    errno = saved_errno;
    if (atomic_load(&w.state) != WRITER_RECORDING) {
        if (record_open)
            record_open = false;
        else
            unlock_writer();
        return NULL;
    }
    /* One byte held back for the newline commit adds. */
    json_out_init(&w.record, w.buf + w.len, sizeof w.buf - w.len - 1);
    return &w.record;
}

static void commit_locked(struct json_out *record)
{
    if (record->overflow) {
        w.dropped++;
        return;
    }
    record->buf[record->len] = '\n';
    w.len += record->len + 1;
    w.pending++;
}

void event_writer_commit(struct json_out *record)
{
    int saved_errno = errno;
    commit_locked(record);
    if (record_open) {
        /* in a batch: the batch's end flushes and unlocks */
        record_open = false;
        if (w.len + EVENT_RECORD_MAX + 1 > sizeof w.buf)
            flush_locked();
        errno = saved_errno;
        return;
    }
    if (w.len + EVENT_RECORD_MAX + 1 > sizeof w.buf ||
        event_clock_monotonic_ns() - w.last_flush_ns >= FLUSH_INTERVAL_NS)
        flush_locked();
    unlock_writer();
    errno = saved_errno;
}

void event_writer_commit_last(struct json_out *record)
{
    int saved_errno = errno;
    commit_locked(record);
    flush_locked();
    if (atomic_load(&w.state) == WRITER_RECORDING)
        atomic_store(&w.state, WRITER_ENDED);
    if (record_open)
        record_open = false; /* the batch still owns the lock */
    else
        unlock_writer();
    errno = saved_errno;
}

bool event_writer_batch_begin(bool wait)
{
    if (atomic_load(&w.state) != WRITER_RECORDING || getpid() != w.pid)
        return false;
    if (!(wait ? lock_writer() : try_lock_writer()))
        return false;
    in_batch = true;
    return true;
}

void event_writer_batch_end(void)
{
    int saved_errno = errno;
    in_batch = false;
    record_open = false;
    flush_locked();
    unlock_writer();
    errno = saved_errno;
}

struct event_writer_totals event_writer_totals(void)
{
    struct event_writer_totals t = {
        .records = w.written + w.pending,
        .dropped = w.dropped + atomic_load(&w.dropped_reentrant),
    };
    return t;
}

void event_writer_flush(void)
{
    if (atomic_load(&w.state) != WRITER_RECORDING || getpid() != w.pid)
        return;
    if (!lock_writer())
        return;
    int saved_errno = errno;
    flush_locked();
    errno = saved_errno;
    unlock_writer();
}

void event_writer_before_fork(void)
{
    fork_locked = false;
    if (atomic_load(&w.state) != WRITER_RECORDING || getpid() != w.pid)
        return;
    /* fork() from a signal handler that interrupted our own writer: do not
     * wait for ourselves; the child then records nothing. */
    if (!lock_writer())
        return;
    fork_locked = true;
}

void event_writer_after_fork_parent(void)
{
    if (fork_locked) {
        fork_locked = false;
        unlock_writer();
    }
}

bool event_writer_after_fork_child(void)
{
    if (!fork_locked) {
        /* The parent was not recording, or the fork interrupted its writer
         * and the buffer may be half-written: this child stays silent. */
        atomic_store(&w.state, WRITER_OFF);
        return false;
    }
    fork_locked = false;
    /* Only the forking thread exists here and it holds the lock from
     * prepare; a fresh mutex is the simplest state that cannot deadlock. */
    w.lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    in_writer = false;
    in_batch = false;
    record_open = false;
    thread_guard_leave(); /* taken with the lock in prepare */
    /* The parent's buffered records are the parent's to write. */
    w.len = 0;
    w.pending = w.written = w.dropped = 0;
    atomic_store(&w.dropped_reentrant, 0);
    if (fd_is_still_ours())
        close(w.fd);
    w.fd = -1;
    w.warned = false;
    atomic_store(&w.state, WRITER_OFF);
    return true;
}
