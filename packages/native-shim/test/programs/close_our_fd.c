/* Test program: closes every fd from 3 up (ours included), then puts
 * another file on each of the high fd numbers, then keeps working. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int null = open("/dev/null", O_WRONLY);
    for (int fd = 500; fd < 600; fd++)
        dup2(null, fd);
    for (int i = 0; i < 1000; i++) {
        void *volatile p = malloc(64);
        free(p);
    }
    int fd = open("/etc/hostname", O_RDONLY);
    printf("ok fd=%d\n", fd);
    return 0;
}
