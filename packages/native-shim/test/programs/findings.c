/* Test program: one of each security-relevant call the shim flags, on
 * real resources under argv[1]: a world-writable create and chmod, a W+X
 * mapping, a shell command, weak randomness, an unsafe string function, a
 * name lookup, a listening socket and a connect to it, and a dlopen. The
 * randomness and the shell command are called from functions of their own,
 * whose offsets it prints, so that a test can check the calling sites the
 * shim records. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* noinline, and no tail call: the call's return address is inside */
__attribute__((noinline)) int make_secret_token(void)
{
    srand(1);
    int r = rand();
    return r >= 0 ? 1 : 0;
}

__attribute__((noinline)) int run_shell_command(void)
{
    int status = system("exit 0");
    return status == 0 ? 0 : 3;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr;
    return 1;
}

/* name=0x<offset of fn in this executable> */
static void print_offset(const char *name, void *fn)
{
    uintptr_t base = 0;
    dl_iterate_phdr(first_object, &base);
    printf("%s=0x%lx\n", name, (unsigned long)((uintptr_t)fn - base));
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char path[512], buf[64];
    umask(0);
    snprintf(path, sizeof path, "%s/shared.txt", argv[1]);
    int fd = creat(path, 0666);
    close(fd);
    chmod(path, 0777);
    void *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(wx, 4096);
    if (run_shell_command() != 0)
        return 3;
    printf("r=%d\n", make_secret_token());
    print_offset("make_secret_token", (void *)make_secret_token);
    print_offset("run_shell_command", (void *)run_shell_command);
    strcpy(buf, argc > 2 ? argv[2] : "copied"); /* not a constant: a real call */
    printf("copied=%zu\n", strlen(buf));
    struct addrinfo *res = NULL;
    if (getaddrinfo("localhost", NULL, NULL, &res) == 0)
        freeaddrinfo(res);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = { htonl(INADDR_LOOPBACK) } };
    bind(server, (struct sockaddr *)&sin, sizeof sin);
    listen(server, 1);
    socklen_t n = sizeof sin;
    getsockname(server, (struct sockaddr *)&sin, &n);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    connect(client, (struct sockaddr *)&sin, sizeof sin);
    int accepted = accept(server, NULL, NULL);
    printf("port=%d\n", ntohs(sin.sin_port));
    close(accepted);
    close(client);
    close(server);
    void *z = dlopen("libz.so.1", RTLD_NOW);
    printf("dlopen=%d\n", z != NULL);
    return 0;
}
