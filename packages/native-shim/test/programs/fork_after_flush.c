/* Test program: a flush before fork, then the same calling site in the
 * child. 40 opens fill more than half a thread's ring of call events, which
 * flushes (writing the open's calling site into the parent's file); the
 * child then opens from that same site once and exits. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static int open_hostname(void)
{
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 1 : 0;
}

int main(void)
{
    int opened = 0;
    for (int i = 0; i < 40; i++)
        opened += open_hostname();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0)
        exit(open_hostname() ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    printf("child=%d opened=%d status=%d\n", (int)child, opened, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
