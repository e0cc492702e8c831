/* Test program: a vfork child that leaves through _exit(5), sharing the
 * parent's memory (and so the shim's state) until then. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    pid_t child = vfork();
    if (child < 0)
        return 2;
    if (child == 0)
        _exit(5);
    int status = 0;
    waitpid(child, &status, 0);
    printf("child=%d status=%d\n", (int)child, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
