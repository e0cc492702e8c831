/* Test program: one of each security-relevant call the shim flags, on
 * real resources under argv[1]: a world-writable create and chmod, a W+X
 * mapping, a shell command, weak randomness, an unsafe string function, a
 * name lookup, a listening socket and a connect to it, and a dlopen. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (system("exit 0") != 0)
        return 3;
    srand(1);
    printf("r=%d\n", rand() >= 0);
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
