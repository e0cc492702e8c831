/* Who this process is, as process_start reports it: ids, executable, working
 * directory and the raw command line. Read with plain syscalls only (no
 * stdio, no malloc), so it also works in a forked child. */
#ifndef APITRACE_PROCESS_IDENTITY_H
#define APITRACE_PROCESS_IDENTITY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROCESS_CMDLINE_MAX (64 * 1024)

struct process_identity {
    pid_t pid, ppid, tid;
    char exe[PATH_MAX];
    size_t exe_len;
    char cwd[PATH_MAX];
    size_t cwd_len;
    /* /proc/self/cmdline: NUL-separated elements. When it was longer than
     * the buffer, the cut element is removed whole (a cut URL could lose the
     * '@' that marks its password) and cmdline_truncated is set. */
    char cmdline[PROCESS_CMDLINE_MAX];
    size_t cmdline_len;
    bool cmdline_truncated;
};

void process_identity_read(struct process_identity *id);

/* Iterates over cmdline elements: *pos starts at 0. Returns false at the end. */
bool process_identity_next_arg(const struct process_identity *id, size_t *pos, const char **arg, size_t *len);

#endif
