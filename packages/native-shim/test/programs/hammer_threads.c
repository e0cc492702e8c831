/* Test program: 64 threads, each calling malloc/free and open/close a fixed
 * number of times. usage: hammer_threads <mallocs per thread> <opens per thread> */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long mallocs, opens;

static void *hammer(void *unused)
{
    (void)unused;
    for (long i = 0; i < mallocs; i++) {
        void *volatile p = malloc(16 + (size_t)(i & 63));
        free(p);
    }
    for (long i = 0; i < opens; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    mallocs = atol(argv[1]);
    opens = atol(argv[2]);
    pthread_t t[64];
    for (int i = 0; i < 64; i++)
        if (pthread_create(&t[i], NULL, hammer, NULL) != 0)
            return 3;
    for (int i = 0; i < 64; i++)
        pthread_join(t[i], NULL);
    puts("ok");
    return 0;
}
