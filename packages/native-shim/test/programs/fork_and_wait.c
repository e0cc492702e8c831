/* Test program: forks a child that exits through exit() (so its exit
 * handlers run), waits for it and prints its pid. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        return 2;
    if (child == 0)
        exit(0);
    int status = 0;
    waitpid(child, &status, 0);
    printf("child=%d\n", (int)child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}
