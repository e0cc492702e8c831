/* Test program: starts /bin/true with an environment that has neither
 * LD_PRELOAD nor APITRACE_DIR, in the way named by argv[1]: execve, execle,
 * vfork (then execve), posix_spawn. Prints the child's pid. */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *const child_argv[] = { "/bin/true", NULL };
    char *const env[] = { "PATH=/usr/bin:/bin", NULL };
    const char *how = argc > 1 ? argv[1] : "execve";
    printf("pid=%d\n", (int)getpid());
    fflush(stdout);
    if (strcmp(how, "execve") == 0) {
        execve("/bin/true", child_argv, env);
        return 127;
    }
    if (strcmp(how, "execle") == 0) {
        execle("/bin/true", "/bin/true", (char *)NULL, env);
        return 127;
    }
    pid_t child;
    if (strcmp(how, "vfork") == 0) {
        child = vfork();
        if (child == 0) {
            execve("/bin/true", child_argv, env);
            _exit(127);
        }
    } else if (posix_spawn(&child, "/bin/true", NULL, NULL, child_argv, env) != 0) {
        return 3;
    }
    int status;
    waitpid(child, &status, 0);
    printf("child=%d status=%d\n", (int)child, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
