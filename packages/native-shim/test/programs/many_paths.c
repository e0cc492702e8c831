/* Test program: opens 3000 distinct (missing) paths, so that the event file
 * needs far more room than a tiny file system has. */
#include <fcntl.h>
#include <stdio.h>

int main(void)
{
    int failed = 0;
    for (int i = 0; i < 3000; i++) {
        char path[64];
        snprintf(path, sizeof path, "/nonexistent/path-%d", i);
        failed += open(path, O_RDONLY) < 0;
    }
    printf("failed=%d\n", failed);
    return 0;
}
