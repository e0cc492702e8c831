/* The library dlopen_runpath loads; it allocates, so its calls show up
 * under its own path once registered. */
#include <stdlib.h>

__attribute__((visibility("default"))) int testlib_answer(void)
{
    void *volatile p = malloc(8);
    free(p);
    return 42;
}
