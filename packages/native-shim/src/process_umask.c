#include "process_umask.h"

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Atomic int process_umask_value = 022;

void process_umask_read(void)
{
    /* "Umask:\t0022" in /proc/self/status (Linux 4.7 and later). */
    char buf[4096];
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    const char *p = strstr(buf, "Umask:");
    if (p == NULL)
        return;
    p += 6;
    while (*p == ' ' || *p == '\t')
        p++;
    int mask = 0;
    for (; *p >= '0' && *p <= '7'; p++)
        mask = mask * 8 + (*p - '0');
    atomic_store(&process_umask_value, mask);
}
