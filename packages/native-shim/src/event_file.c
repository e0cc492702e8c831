#include "event_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

/* Event fds live at or above this number when the fd limit allows: the
 * application then gets the same fd numbers as without us, and shells that
 * park their own fds at 10 and up never dup2 over ours. */
#define EVENT_FILE_FD_FLOOR 512

static size_t put_uint(char *p, unsigned long v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        p[i] = digits[n - 1 - i];
    return n;
}

static int move_fd_high(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, EVENT_FILE_FD_FLOOR);
    if (high < 0)
        return fd; /* low fd limit: keep the one we have */
    close(fd);
    return high;
}

int event_file_create(const char *dir, pid_t pid, unsigned *seq)
{
    static const char middle[] = "-native-", suffix[] = ".jsonl";
    char path[PATH_MAX];
    size_t dir_n = strlen(dir);

    /* dir, '/', pid, middle, seq, suffix, NUL */
    if (dir_n + 1 + 20 + sizeof middle + 20 + sizeof suffix > sizeof path)
        return -ENAMETOOLONG;
    memcpy(path, dir, dir_n);
    size_t n = dir_n;
    path[n++] = '/';
    n += put_uint(path + n, (unsigned long)pid);
    memcpy(path + n, middle, sizeof middle - 1);
    n += sizeof middle - 1;

    for (unsigned s = 0; s < EVENT_FILE_MAX_SEQ; s++) {
        size_t end = n + put_uint(path + n, s);
        memcpy(path + end, suffix, sizeof suffix); /* with its NUL */

        int fd;
        do {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        } while (fd < 0 && errno == EINTR);
        if (fd >= 0) {
            *seq = s;
            return move_fd_high(fd);
        }
        if (errno != EEXIST)
            return -errno;
    }
    return -EEXIST;
}

void event_file_path(const char *dir, pid_t pid, unsigned seq, char *path)
{
    static const char middle[] = "-native-", suffix[] = ".jsonl";
    size_t dir_n = strlen(dir);
    if (dir_n + 1 + 20 + sizeof middle + 20 + sizeof suffix > PATH_MAX) {
        path[0] = '\0';
        return;
    }
    memcpy(path, dir, dir_n);
    size_t n = dir_n;
    path[n++] = '/';
    n += put_uint(path + n, (unsigned long)pid);
    memcpy(path + n, middle, sizeof middle - 1);
    n += sizeof middle - 1;
    n += put_uint(path + n, seq);
    memcpy(path + n, suffix, sizeof suffix);
}

int event_file_reopen(const char *path)
{
    int fd;
    do {
        fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : move_fd_high(fd);
}
