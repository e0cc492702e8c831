/* Test program: dlopens a library found only through this executable's
 * RUNPATH ($ORIGIN/lib). dlopen searches the caller's RUNPATH, so this
 * works under the shim only if the wrapper keeps the caller. */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *lib = dlopen("libapitrace_testlib.so", RTLD_NOW);
    if (lib == NULL) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    int (*answer)(void) = (int (*)(void))dlsym(lib, "testlib_answer");
    printf("answer=%d\n", answer != NULL ? answer() : -1);
    return 0;
}
