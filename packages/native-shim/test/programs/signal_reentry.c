/* Test program: a timer signal whose handler calls hooked functions
 * (open, close, access, strcpy: all async-signal-safe) fires again and
 * again while the main thread sits in the same hooks and in the writer's
 * flushes. It must finish, not deadlock. usage: signal_reentry <rounds> */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_alarm(int sig)
{
    (void)sig;
    char buf[32];
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0)
        close(fd);
    access("/", F_OK);
    strcpy(buf, "in handler");
    handled++;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = { { 0, 50 }, { 0, 50 } };
    setitimer(ITIMER_REAL, &every, NULL);
    char buf[64];
    for (long i = 0; i < rounds; i++) {
        char path[32];
        snprintf(path, sizeof path, "/dev/null");
        int fd = open(path, O_RDONLY);
        if (fd >= 0)
            close(fd);
        strcpy(buf, "main loop");
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ok handled=%d\n", handled > 0);
    return 0;
}
