/* Naming and safe creation of this emitter's event files:
 * <dir>/<pid>-native-<seq>.jsonl (docs/events.md, "Event files"). */
#ifndef APITRACE_EVENT_FILE_H
#define APITRACE_EVENT_FILE_H

#include <sys/types.h>

#define EVENT_FILE_MAX_SEQ 1000

/* Creates the file with the lowest free seq for pid: O_CREAT|O_EXCL|
 * O_NOFOLLOW|O_CLOEXEC, mode 0600, so it is never shared, truncated, or
 * opened through a link (a link of that name just counts as taken).
 * Returns the fd and sets *seq, or returns -errno. */
int event_file_create(const char *dir, pid_t pid, unsigned *seq);

/* The path of that file, into path (PATH_MAX bytes). */
void event_file_path(const char *dir, pid_t pid, unsigned seq, char *path);

/* Opens our own file again after the application closed or replaced our
 * descriptor: appending, never through a link. Returns the fd or -errno. */
int event_file_reopen(const char *path);

#endif
