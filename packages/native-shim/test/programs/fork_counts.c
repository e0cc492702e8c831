/* Test program: counts before and after fork must land in the right file,
 * once. The parent mallocs 100, opens /etc/hostname, forks; the child
 * mallocs 40 and exits; the parent mallocs 7 more. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void allocate(int n)
{
    for (int i = 0; i < n; i++) {
        void *volatile p = malloc(32);
        free(p);
    }
}

int main(void)
{
    allocate(100);
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd >= 0)
        close(fd);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        allocate(40);
        exit(0);
    }
    allocate(7);
    int status;
    waitpid(child, &status, 0);
    printf("child=%d\n", (int)child);
    return 0;
}
