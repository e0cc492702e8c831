/* Test program: prints the errno main starts with and the fd number its first
 * open gets (both must be the same with and without the shim), then exits
 * with the code given as argv[1]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int errno_at_main = errno;
    int fd = open("/dev/null", O_RDONLY);
    printf("errno=%d fd=%d\n", errno_at_main, fd);
    return argc > 1 ? atoi(argv[1]) : 0;
}
