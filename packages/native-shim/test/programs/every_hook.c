/* Test program: calls every function of hook_table.def once, each in a way
 * that cannot harm the test (files only under the work directory given,
 * execs only in a child, network only on loopback). The table is included
 * here, so a row without a call_<name> below fails to compile: adding a
 * hook means saying how to call it safely. Built with -fno-builtin, so each
 * call reaches the exported symbol. Symbols the headers hide (gets, the
 * fortify _chk variants, __open_2, the __xstat family, kept only as compat
 * versions) are called through dlsym, as an old binary would bind them.
 * usage: every_hook <work dir>; prints "called N" and exits 0. */
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *work;
static char buf[256];
static const char *const true_argv[] = { "true", NULL };

static const char *at(const char *name)
{
    static char path[4][4096];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", work, name);
    return p;
}

static void touch(const char *name)
{
    close(open(at(name), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
}

static void *sym(const char *name)
{
    void *p = dlsym(RTLD_DEFAULT, name);
    if (p == NULL) {
        fprintf(stderr, "no symbol %s\n", name);
        exit(3);
    }
    return p;
}

/* Runs fn in a forked child (for the exec family) and waits for it. */
static void in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

/* memory */
static void call_malloc(void)
{
    free(malloc(16));
}
static void call_calloc(void)
{
    free(calloc(2, 8));
}
static void call_realloc(void)
{
    free(realloc(NULL, 16));
}
static void call_free(void)
{
    free(malloc(8));
}
static void call_mmap(void)
{
    munmap(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096);
}
static void call_mmap64(void)
{
    munmap(mmap64(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096);
}
static void call_mprotect(void)
{
    void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(p, 4096, PROT_READ | PROT_WRITE);
    munmap(p, 4096);
}

/* files */
static void call_open(void)
{
    close(open("/etc/hostname", O_RDONLY));
}
static void call_open64(void)
{
    close(open64("/etc/hostname", O_RDONLY));
}
static void call_openat(void)
{
    close(openat(AT_FDCWD, "/etc/hostname", O_RDONLY));
}
static void call_openat64(void)
{
    close(openat64(AT_FDCWD, "/etc/hostname", O_RDONLY));
}
static void call___open_2(void)
{
    close(((int (*)(const char *, int))sym("__open_2"))("/etc/hostname", O_RDONLY));
}
static void call___open64_2(void)
{
    close(((int (*)(const char *, int))sym("__open64_2"))("/etc/hostname", O_RDONLY));
}
static void call___openat_2(void)
{
    close(((int (*)(int, const char *, int))sym("__openat_2"))(AT_FDCWD, "/etc/hostname", O_RDONLY));
}
static void call___openat64_2(void)
{
    close(((int (*)(int, const char *, int))sym("__openat64_2"))(AT_FDCWD, "/etc/hostname", O_RDONLY));
}
static void call_creat(void)
{
    close(creat(at("creat"), 0600));
}
static void call_creat64(void)
{
    close(creat64(at("creat64"), 0600));
}
static void call_fopen(void)
{
    fclose(fopen("/etc/hostname", "r"));
}
static void call_fopen64(void)
{
    fclose(fopen64("/etc/hostname", "r"));
}
static void call_freopen(void)
{
    fclose(freopen("/etc/hostname", "r", fopen("/etc/hostname", "r")));
}
static void call_freopen64(void)
{
    fclose(freopen64("/etc/hostname", "r", fopen("/etc/hostname", "r")));
}
static struct stat st;
static struct stat64 st64;
static struct statx stx;
static void call_stat(void)
{
    stat("/etc/hostname", &st);
}
static void call_stat64(void)
{
    stat64("/etc/hostname", &st64);
}
static void call_lstat(void)
{
    lstat("/etc/hostname", &st);
}
static void call_lstat64(void)
{
    lstat64("/etc/hostname", &st64);
}
static void call_fstatat(void)
{
    fstatat(AT_FDCWD, "/etc/hostname", &st, 0);
}
static void call_fstatat64(void)
{
    fstatat64(AT_FDCWD, "/etc/hostname", &st64, 0);
}
static void call_statx(void)
{
    statx(AT_FDCWD, "/etc/hostname", 0, STATX_BASIC_STATS, &stx);
}
/* 1: _STAT_VER_LINUX on x86_64 */
static void call___xstat(void)
{
    ((int (*)(int, const char *, struct stat *))sym("__xstat"))(1, "/etc/hostname", &st);
}
static void call___xstat64(void)
{
    ((int (*)(int, const char *, struct stat64 *))sym("__xstat64"))(1, "/etc/hostname", &st64);
}
static void call___lxstat(void)
{
    ((int (*)(int, const char *, struct stat *))sym("__lxstat"))(1, "/etc/hostname", &st);
}
static void call___lxstat64(void)
{
    ((int (*)(int, const char *, struct stat64 *))sym("__lxstat64"))(1, "/etc/hostname", &st64);
}
static void call___fxstatat(void)
{
    ((int (*)(int, int, const char *, struct stat *, int))sym("__fxstatat"))(1, AT_FDCWD, "/etc/hostname", &st, 0);
}
static void call___fxstatat64(void)
{
    ((int (*)(int, int, const char *, struct stat64 *, int))sym("__fxstatat64"))(1, AT_FDCWD, "/etc/hostname", &st64,
                                                                                 0);
}
static void call_access(void)
{
    access("/etc/hostname", R_OK);
}
static void call_faccessat(void)
{
    faccessat(AT_FDCWD, "/etc/hostname", R_OK, 0);
}
static void call_unlink(void)
{
    touch("unlink");
    unlink(at("unlink"));
}
static void call_unlinkat(void)
{
    touch("unlinkat");
    unlinkat(AT_FDCWD, at("unlinkat"), 0);
}
static void call_rmdir(void)
{
    mkdir(at("rmdir"), 0700);
    rmdir(at("rmdir"));
}
static void call_rename(void)
{
    touch("rename");
    rename(at("rename"), at("renamed"));
}
static void call_renameat(void)
{
    touch("renameat");
    renameat(AT_FDCWD, at("renameat"), AT_FDCWD, at("renamedat"));
}
static void call_renameat2(void)
{
    touch("renameat2");
    renameat2(AT_FDCWD, at("renameat2"), AT_FDCWD, at("renamedat2"), RENAME_NOREPLACE);
}
static void call_chmod(void)
{
    touch("chmod");
    chmod(at("chmod"), 0600);
}
static void call_fchmodat(void)
{
    touch("fchmodat");
    fchmodat(AT_FDCWD, at("fchmodat"), 0600, 0);
}
static void call_chown(void)
{
    touch("chown");
    chown(at("chown"), (uid_t)-1, (gid_t)-1);
}
static void call_lchown(void)
{
    touch("lchown");
    lchown(at("lchown"), (uid_t)-1, (gid_t)-1);
}
static void call_fchownat(void)
{
    touch("fchownat");
    fchownat(AT_FDCWD, at("fchownat"), (uid_t)-1, (gid_t)-1, 0);
}
static void call_mkdir(void)
{
    mkdir(at("mkdir"), 0700);
}
static void call_mkdirat(void)
{
    mkdirat(AT_FDCWD, at("mkdirat"), 0700);
}
static void call_umask(void)
{
    umask(umask(022));
}

/* processes: every exec in a child of its own */
static void do_execve(void)
{
    execve("/bin/true", (char *const *)true_argv, environ);
}
static void do_execv(void)
{
    execv("/bin/true", (char *const *)true_argv);
}
static void do_execvp(void)
{
    execvp("true", (char *const *)true_argv);
}
static void do_execvpe(void)
{
    execvpe("true", (char *const *)true_argv, environ);
}
static void do_execl(void)
{
    execl("/bin/true", "true", (char *)NULL);
}
static void do_execlp(void)
{
    execlp("true", "true", (char *)NULL);
}
static void do_execle(void)
{
    execle("/bin/true", "true", (char *)NULL, environ);
}
static void do_fexecve(void)
{
    int fd = open("/bin/true", O_RDONLY);
    fexecve(fd, (char *const *)true_argv, environ);
}
static void call_execve(void)
{
    in_child(do_execve);
}
static void call_execv(void)
{
    in_child(do_execv);
}
static void call_execvp(void)
{
    in_child(do_execvp);
}
static void call_execvpe(void)
{
    in_child(do_execvpe);
}
static void call_execl(void)
{
    in_child(do_execl);
}
static void call_execlp(void)
{
    in_child(do_execlp);
}
static void call_execle(void)
{
    in_child(do_execle);
}
static void call_fexecve(void)
{
    in_child(do_fexecve);
}
static void call_posix_spawn(void)
{
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", NULL, NULL, (char *const *)true_argv, environ) == 0)
        waitpid(pid, NULL, 0);
}
static void call_posix_spawnp(void)
{
    pid_t pid;
    if (posix_spawnp(&pid, "true", NULL, NULL, (char *const *)true_argv, environ) == 0)
        waitpid(pid, NULL, 0);
}
static void call_system(void)
{
    (void)!system("true");
}
static void call_popen(void)
{
    pclose(popen("true", "r"));
}
static void call_fork(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
}
static int cloned(void *arg)
{
    (void)arg;
    return 0;
}
static void call_clone(void)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    pid_t pid = clone(cloned, stack + sizeof stack, SIGCHLD, NULL);
    if (pid > 0)
        waitpid(pid, NULL, 0);
}
static void call_sigaction(void)
{
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
}
static void call_signal(void)
{
    signal(SIGUSR1, signal(SIGUSR1, SIG_DFL));
}

/* network: a listening socket on loopback, two connections to it */
static int listener = -1;
static struct sockaddr_in addr;
static socklen_t addr_len = sizeof addr;
static int client(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connect(fd, (struct sockaddr *)&addr, addr_len);
    return fd;
}
static void call_socket(void)
{
    close(socket(AF_INET, SOCK_DGRAM, 0));
}
static void call_bind(void)
{
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener, (struct sockaddr *)&addr, sizeof addr);
    getsockname(listener, (struct sockaddr *)&addr, &addr_len);
}
static void call_listen(void)
{
    listen(listener, 4);
    getsockname(listener, (struct sockaddr *)&addr, &addr_len);
}
static void call_connect(void)
{
    close(client());
}
static void call_accept(void)
{
    int c = client();
    close(accept(listener, NULL, NULL));
    close(c);
}
static void call_accept4(void)
{
    int c = client();
    close(accept4(listener, NULL, NULL, SOCK_CLOEXEC));
    close(c);
}
static void call_getaddrinfo(void)
{
    struct addrinfo *res = NULL, hints = { .ai_family = AF_INET, .ai_flags = AI_NUMERICHOST };
    if (getaddrinfo("127.0.0.1", NULL, &hints, &res) == 0)
        freeaddrinfo(res);
}

/* randomness */
static unsigned short xsubi[3] = { 1, 2, 3 }, params[7] = { 1, 2, 3, 4, 5, 6, 7 };
static unsigned seed = 1;
static void call_rand(void)
{
    (void)rand();
}
static void call_rand_r(void)
{
    (void)rand_r(&seed);
}
static void call_srand(void)
{
    srand(1);
}
static void call_random(void)
{
    (void)random();
}
static void call_srandom(void)
{
    srandom(1);
}
static void call_drand48(void)
{
    (void)drand48();
}
static void call_erand48(void)
{
    (void)erand48(xsubi);
}
static void call_lrand48(void)
{
    (void)lrand48();
}
static void call_nrand48(void)
{
    (void)nrand48(xsubi);
}
static void call_mrand48(void)
{
    (void)mrand48();
}
static void call_jrand48(void)
{
    (void)jrand48(xsubi);
}
static void call_srand48(void)
{
    srand48(1);
}
static void call_seed48(void)
{
    (void)seed48(xsubi);
}
static void call_lcong48(void)
{
    lcong48(params);
}
static void call_getrandom(void)
{
    (void)!getrandom(buf, 8, 0);
}

/* strings: small copies into a large buffer */
static int call_vsprintf_with(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}
static int call_vsprintf_chk_with(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = ((int (*)(char *, int, size_t, const char *, va_list))sym("__vsprintf_chk"))(buf, 1, sizeof buf, fmt, ap);
    va_end(ap);
    return n;
}
static void call_strcpy(void)
{
    strcpy(buf, "x");
}
static void call_stpcpy(void)
{
    stpcpy(buf, "x");
}
static void call_strcat(void)
{
    buf[0] = '\0';
    strcat(buf, "x");
}
static void call_strncpy(void)
{
    strncpy(buf, "x", 2);
}
static void call_strncat(void)
{
    buf[0] = '\0';
    strncat(buf, "x", 1);
}
static void call_strtok(void)
{
    strcpy(buf, "a b");
    (void)strtok(buf, " ");
}
static void call_gets(void)
{
    /* stdin is the null device for this one call: gets returns at once */
    int saved = dup(0), null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    close(null);
    ((char *(*)(char *))sym("gets"))(buf);
    clearerr(stdin);
    dup2(saved, 0);
    close(saved);
}
static void call_sprintf(void)
{
    sprintf(buf, "%d", 1);
}
static void call_vsprintf(void)
{
    call_vsprintf_with("%d", 1);
}
static void call___strcpy_chk(void)
{
    ((char *(*)(char *, const char *, size_t))sym("__strcpy_chk"))(buf, "x", sizeof buf);
}
static void call___stpcpy_chk(void)
{
    ((char *(*)(char *, const char *, size_t))sym("__stpcpy_chk"))(buf, "x", sizeof buf);
}
static void call___strcat_chk(void)
{
    buf[0] = '\0';
    ((char *(*)(char *, const char *, size_t))sym("__strcat_chk"))(buf, "x", sizeof buf);
}
static void call___strncpy_chk(void)
{
    ((char *(*)(char *, const char *, size_t, size_t))sym("__strncpy_chk"))(buf, "x", 2, sizeof buf);
}
static void call___strncat_chk(void)
{
    buf[0] = '\0';
    ((char *(*)(char *, const char *, size_t, size_t))sym("__strncat_chk"))(buf, "x", 1, sizeof buf);
}
static void call___gets_chk(void)
{
    int saved = dup(0), null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    close(null);
    ((char *(*)(char *, size_t))sym("__gets_chk"))(buf, sizeof buf);
    clearerr(stdin);
    dup2(saved, 0);
    close(saved);
}
static void call___sprintf_chk(void)
{
    ((int (*)(char *, int, size_t, const char *, ...))sym("__sprintf_chk"))(buf, 1, sizeof buf, "%d", 1);
}
static void call___vsprintf_chk(void)
{
    call_vsprintf_chk_with("%d", 1);
}

/* dynamic loading */
static void call_dlopen(void)
{
    (void)dlopen("libz.so.1", RTLD_NOW);
}
static void call_dlsym(void)
{
    (void)dlsym(RTLD_DEFAULT, "zlibVersion");
}

/* OpenSSL: an SSL object never connected; writes and reads fail at once */
static SSL_CTX *ctx;
static SSL *ssl;
static void tls(void)
{
    if (ssl == NULL) {
        ctx = SSL_CTX_new(TLS_client_method());
        ssl = SSL_new(ctx);
    }
}
static void call_SSL_write(void)
{
    tls();
    (void)SSL_write(ssl, "x", 1);
}
static void call_SSL_write_ex(void)
{
    size_t n;
    tls();
    (void)SSL_write_ex(ssl, "x", 1, &n);
}
static void call_SSL_read(void)
{
    tls();
    (void)SSL_read(ssl, buf, 1);
}
static void call_SSL_read_ex(void)
{
    size_t n;
    tls();
    (void)SSL_read_ex(ssl, buf, 1, &n);
}
static void call_SSL_ctrl(void)
{
    tls();
    (void)SSL_set_tlsext_host_name(ssl, "example.test");
}
static void call_SSL_CTX_set_verify(void)
{
    tls();
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
}
static void call_SSL_set_verify(void)
{
    tls();
    SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
}

/* One row per line of the hook table, in its order. */
static const struct {
    const char *api;
    void (*call)(void);
} rows[] = {
#define HOOK(ns, name, category, shape, flags, ret, params, args) { #ns ":" #name, call_##name },
#define HOOK_V HOOK
#include "../../src/hook_table.def"
#undef HOOK
#undef HOOK_V
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: every_hook <work dir>\n");
        return 2;
    }
    work = argv[1];
    size_t n = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < n; i++)
        rows[i].call();
    printf("called %zu\n", n);
    return 0;
}
