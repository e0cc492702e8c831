/* Test program: dies of a signal after some work (segv: a NULL write;
 * term: kill(getpid(), SIGTERM)), or (query) prints what sigaction and
 * signal report for the default dispositions the shim watches. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_int(int sig)
{
    (void)sig;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "segv";
    for (int i = 0; i < 500; i++) {
        void *volatile p = malloc(48);
        free(p);
    }
    if (strcmp(how, "query") == 0) {
        struct sigaction old;
        sigaction(SIGSEGV, NULL, &old);
        printf("segv default=%d\n", old.sa_handler == SIG_DFL);
        printf("int previous default=%d\n", signal(SIGINT, on_int) == SIG_DFL);
        sigaction(SIGINT, NULL, &old);
        printf("int now ours=%d\n", old.sa_handler == on_int);
        return 0;
    }
    fflush(stdout);
    if (strcmp(how, "term") == 0)
        kill(getpid(), SIGTERM);
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
    return 0;
}
