/* Test program: opens a file, waits a little over the flush interval, opens
 * another (the call that finds the last flush a second old and flushes),
 * then kills itself with SIGKILL: both opens must be on disk. */
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    close(open("/etc/hostname", O_RDONLY));
    struct timespec pause = { 1, 200000000 };
    nanosleep(&pause, NULL);
    close(open("/etc/passwd", O_RDONLY));
    kill(getpid(), SIGKILL);
    return 0;
}
