/* Sockets: who connects where, who binds and listens on what, who accepts
 * whom, and which names get looked up. Addresses are summarised as
 * host:port ([v6]:port, unix:/path) without any allocation. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "hook_wrappers.h"

#define ADDR_TEXT_MAX 160

static void put_port(char *out, size_t len, size_t cap, unsigned port)
{
    char digits[6];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + port % 10);
        port /= 10;
    } while (port != 0);
    if (len + 1 + n + 1 > cap)
        return;
    out[len++] = ':';
    while (n > 0)
        out[len++] = digits[--n];
    out[len] = '\0';
}

/* false when the address is of a family we do not describe */
static bool address_text(const struct sockaddr *sa, socklen_t n, char out[ADDR_TEXT_MAX])
{
    out[0] = '\0';
    if (sa == NULL || n < (socklen_t)sizeof(sa_family_t))
        return false;
    if (sa->sa_family == AF_INET && n >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, &in->sin_addr, out, ADDR_TEXT_MAX) == NULL)
            return false;
        put_port(out, strlen(out), ADDR_TEXT_MAX, ntohs(in->sin_port));
        return true;
    }
    if (sa->sa_family == AF_INET6 && n >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        out[0] = '[';
        if (inet_ntop(AF_INET6, &in6->sin6_addr, out + 1, ADDR_TEXT_MAX - 2) == NULL)
            return false;
        size_t len = strlen(out);
        out[len++] = ']';
        out[len] = '\0';
        put_port(out, len, ADDR_TEXT_MAX, ntohs(in6->sin6_port));
        return true;
    }
    if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t path_n = n - offsetof(struct sockaddr_un, sun_path);
        if (path_n > sizeof un->sun_path)
            path_n = sizeof un->sun_path;
        memcpy(out, "unix:", 5);
        size_t len = 5;
        /* abstract names start with NUL: shown as @name */
        for (size_t i = 0; i < path_n && len < ADDR_TEXT_MAX - 1; i++) {
            char ch = un->sun_path[i];
            if (ch == '\0' && i > 0)
                break;
            out[len++] = ch == '\0' ? '@' : ch;
        }
        out[len] = '\0';
        return true;
    }
    return false;
}

static void record_socket_call(struct hook_call *c, int subject_arg, const struct sockaddr *sa, socklen_t n, int fd,
                               long ret, bool failed, int err)
{
    char text[ADDR_TEXT_MAX];
    struct call_event *e = recorder_call_event(c);
    if (address_text(sa, n, text))
        call_event_text(e, subject_arg, text);
    call_event_int_result(e, ret, failed, err);
    if (e != NULL)
        e->fd = fd;
    recorder_call_publish(c, e);
}

/* glibc declares these with transparent unions (__CONST_SOCKADDR_ARG). */
HOOK_EXPORT int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t n)
{
    HOOK_ENSURE_REAL(libc, connect, int);
    const struct sockaddr *sa = addr.__sockaddr__;
    struct hook_call c;
    if (!recorder_call_begin(&c, API_connect, __builtin_return_address(0)))
        return real.connect(fd, sa, n);
    int r = real.connect(fd, sa, n);
    int err = errno;
    /* a non-blocking connect "in progress" is a connect all the same */
    record_socket_call(&c, SUBJECT_PEER, sa, n, fd, r, r < 0, err);
    errno = err;
    return r;
}

HOOK_EXPORT int bind(int fd, __CONST_SOCKADDR_ARG addr, socklen_t n)
{
    HOOK_ENSURE_REAL(libc, bind, int);
    const struct sockaddr *sa = addr.__sockaddr__;
    struct hook_call c;
    if (!recorder_call_begin(&c, API_bind, __builtin_return_address(0)))
        return real.bind(fd, sa, n);
    int r = real.bind(fd, sa, n);
    int err = errno;
    record_socket_call(&c, SUBJECT_LOCAL, sa, n, fd, r, r < 0, err);
    errno = err;
    return r;
}

HOOK_EXPORT int listen(int fd, int backlog)
{
    HOOK_ENSURE_REAL(libc, listen, int);
    struct hook_call c;
    if (!recorder_call_begin(&c, API_listen, __builtin_return_address(0)))
        return real.listen(fd, backlog);
    int r = real.listen(fd, backlog);
    int err = errno;
    struct sockaddr_storage ss;
    socklen_t n = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &n) != 0)
        n = 0;
    record_socket_call(&c, SUBJECT_LOCAL, (struct sockaddr *)&ss, n, fd, r, r < 0, err);
    errno = err;
    return r;
}

static void record_accepted(struct hook_call *c, int r, int err, int fd)
{
    struct sockaddr_storage ss;
    socklen_t n = sizeof ss;
    if (r < 0 || getpeername(r, (struct sockaddr *)&ss, &n) != 0)
        n = 0;
    record_socket_call(c, SUBJECT_PEER, (struct sockaddr *)&ss, n, fd, r, r < 0, err);
}

HOOK_EXPORT int accept(int fd, __SOCKADDR_ARG addr, socklen_t *n)
{
    HOOK_ENSURE_REAL(libc, accept, int);
    struct sockaddr *sa = addr.__sockaddr__;
    struct hook_call c;
    if (!recorder_call_begin(&c, API_accept, __builtin_return_address(0)))
        return real.accept(fd, sa, n);
    int r = real.accept(fd, sa, n);
    int err = errno;
    record_accepted(&c, r, err, fd);
    errno = err;
    return r;
}

HOOK_EXPORT int accept4(int fd, __SOCKADDR_ARG addr, socklen_t *n, int fl)
{
    HOOK_ENSURE_REAL(libc, accept4, int);
    struct sockaddr *sa = addr.__sockaddr__;
    struct hook_call c;
    if (!recorder_call_begin(&c, API_accept4, __builtin_return_address(0)))
        return real.accept4(fd, sa, n, fl);
    int r = real.accept4(fd, sa, n, fl);
    int err = errno;
    record_accepted(&c, r, err, fd);
    errno = err;
    return r;
}

HOOK_EXPORT int getaddrinfo(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    HOOK_ENSURE_REAL(libc, getaddrinfo, int);
    struct hook_call c;
    if (host == NULL || !recorder_call_begin(&c, API_getaddrinfo, __builtin_return_address(0)))
        return real.getaddrinfo(host, service, hints, res);
    int r = real.getaddrinfo(host, service, hints, res);
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    call_event_text(e, SUBJECT_HOST, host);
    /* ret is the EAI_ code; errno means something only with EAI_SYSTEM */
    call_event_int_result(e, r, r == EAI_SYSTEM, err);
    recorder_call_publish(&c, e);
    /* name service modules may have been loaded behind our back */
    code_units_note_dlopen();
    errno = err;
    return r;
}
