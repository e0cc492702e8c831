#include "process_identity.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void read_cmdline(struct process_identity *id)
{
    id->cmdline_len = 0;
    id->cmdline_truncated = false;
    int fd;
    do {
        fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return;
    size_t n = 0;
    for (;;) {
        ssize_t r =
            n < sizeof id->cmdline ? read(fd, id->cmdline + n, sizeof id->cmdline - n) : read(fd, &(char){ 0 }, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (n == sizeof id->cmdline) {
            id->cmdline_truncated = true;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    if (id->cmdline_truncated) {
        while (n > 0 && id->cmdline[n - 1] != '\0')
            n--;
    }
    id->cmdline_len = n;
}

void process_identity_read(struct process_identity *id)
{
    id->pid = getpid();
    id->ppid = getppid();
    id->tid = (pid_t)syscall(SYS_gettid);

    ssize_t n = readlink("/proc/self/exe", id->exe, sizeof id->exe - 1);
    id->exe_len = n > 0 ? (size_t)n : 0;
    id->exe[id->exe_len] = '\0';

    /* With a caller buffer glibc's getcwd is the bare syscall; it fails
     * (rather than returning "(unreachable)/...") for a cwd outside our root. */
    if (getcwd(id->cwd, sizeof id->cwd) == NULL)
        id->cwd[0] = '\0';
    id->cwd_len = strlen(id->cwd);

    read_cmdline(id);
}

bool process_identity_next_arg(const struct process_identity *id, size_t *pos, const char **arg, size_t *len)
{
    if (*pos >= id->cmdline_len)
        return false;
    const char *start = id->cmdline + *pos;
    const char *nul = memchr(start, '\0', id->cmdline_len - *pos);
    /* The last element lacks its NUL when the process rewrote its argv. */
    size_t n = nul != NULL ? (size_t)(nul - start) : id->cmdline_len - *pos;
    *arg = start;
    *len = n;
    *pos += n + 1;
    return true;
}
