/* Test program: calls hooked functions on success and failure paths and
 * prints every return value and errno. Its output must be identical with
 * and without the shim. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOW(what, expr)                                  \
    do {                                                  \
        errno = 4242;                                     \
        long r_ = (long)(expr);                           \
        printf("%s ret=%ld errno=%d\n", what, r_, errno); \
    } while (0)

extern char **environ;

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[512];
    struct stat st;
    SHOW("open missing", open("/nonexistent/x", O_RDONLY));
    SHOW("openat missing", openat(AT_FDCWD, "/nonexistent/x", O_RDONLY));
    SHOW("fopen missing", fopen("/nonexistent/x", "r") != NULL);
    SHOW("stat missing", stat("/nonexistent/x", &st));
    SHOW("access missing", access("/nonexistent/x", F_OK));
    SHOW("unlink missing", unlink("/nonexistent/x"));
    SHOW("mkdir existing", mkdir("/", 0755));
    SHOW("chmod missing", chmod("/nonexistent/x", 0644));
    SHOW("rename missing", rename("/nonexistent/x", "/nonexistent/y"));
    snprintf(path, sizeof path, "%s/created", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    SHOW("open created is fd", fd > 2);
    SHOW("errno kept by close", (errno = 77, close(fd), errno));
    SHOW("open exclusive again", open(path, O_WRONLY | O_CREAT | O_EXCL, 0600));
    SHOW("unlink created", unlink(path));
    SHOW("malloc keeps errno", (errno = 4242, free(malloc(10)), errno));
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1), .sin_addr = { htonl(INADDR_LOOPBACK) } };
    SHOW("connect refused", connect(s, (struct sockaddr *)&sin, sizeof sin));
    close(s);
    SHOW("bind bad fd", bind(-1, (struct sockaddr *)&sin, sizeof sin));
    SHOW("listen bad fd", listen(-1, 1));
    SHOW("accept bad fd", accept(-1, NULL, NULL));
    struct addrinfo *res = NULL;
    SHOW("getaddrinfo bad", getaddrinfo("invalid.invalid.", NULL, NULL, &res) != 0);
    SHOW("execve missing", execve("/nonexistent/prog", argv, environ));
    char *const spawn_argv[] = { "x", NULL };
    pid_t pid;
    SHOW("posix_spawn missing", posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, spawn_argv, environ));
    SHOW("mmap wx",
         mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
    SHOW("mprotect bad", mprotect((void *)8, 4096, PROT_READ | PROT_EXEC));
    SHOW("dlopen missing", dlopen("libdoesnotexist.so.9", RTLD_NOW) == NULL);
    /* RTLD_NEXT is relative to the caller: through our wrapper it must
     * still be this executable, so "next open" is the first one after it */
    SHOW("dlsym next is default", dlsym(RTLD_NEXT, "open") == dlsym(RTLD_DEFAULT, "open"));
    srand(7);
    SHOW("rand seeded", rand());
    char buf[32];
    SHOW("strcpy", strcpy(buf, "abc") == buf);
    SHOW("sprintf", sprintf(buf, "%d-%s", 42, "x"));
    return 0;
}
