/* The process umask, read at start and kept current by the umask hook
 * (hooks_file.c), so that a hook never has to call umask() (which sets it,
 * racing threads). Whether a created file is world-writable depends on it. */
#ifndef APITRACE_PROCESS_UMASK_H
#define APITRACE_PROCESS_UMASK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

extern _Atomic int process_umask_value __attribute__((visibility("hidden")));

/* From /proc/self/status; kept at 022 when it cannot be read. */
void process_umask_read(void);

/* What the umask hook just set. */
static inline void process_umask_set(mode_t mask)
{
    atomic_store(&process_umask_value, (int)(mask & 0777));
}

/* Whether a file created with mode would be writable by others. */
static inline bool process_umask_world_writable(mode_t mode)
{
    return (mode & ~(mode_t)atomic_load_explicit(&process_umask_value, memory_order_relaxed) & S_IWOTH) != 0;
}

#endif
