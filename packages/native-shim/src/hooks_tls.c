/* OpenSSL, resolved only once libssl is in the process (these symbols are
 * called only by code linked against it, so defining them loads nothing):
 * SNI, certificate verification turned off, and the method, Host and route
 * of HTTP requests written in plaintext. */
#include <string.h>

#include "hook_wrappers.h"
#include "http_request.h"

/* From OpenSSL's public headers (stable across 1.1 and 3.x). */
#define SSL_CTRL_SET_TLSEXT_HOSTNAME 55
#define TLSEXT_NAMETYPE_host_name 0
#define SSL_VERIFY_NONE 0

static void look_for_request(const void *buf, size_t n, void *ret_addr)
{
    struct http_request req;
    if (buf == NULL || n < 16 || !http_request_parse(buf, n < 8192 ? n : 8192, "443", &req))
        return;
    recorder_web_request(API_SSL_write, ret_addr, req.method, req.host, req.route);
}

HOOK_EXPORT int SSL_write(void *ssl, const void *buf, int n)
{
    HOOK_ENSURE_REAL(openssl, SSL_write, int);
    void *caller = __builtin_return_address(0);
    recorder_count(API_SSL_write, caller);
    int saved = errno;
    if (n > 0 && !hook_self.busy)
        look_for_request(buf, (size_t)n, caller);
    errno = saved;
    return real.SSL_write(ssl, buf, n);
}

HOOK_EXPORT int SSL_write_ex(void *ssl, const void *buf, size_t n, size_t *written)
{
    HOOK_ENSURE_REAL(openssl, SSL_write_ex, int);
    void *caller = __builtin_return_address(0);
    recorder_count(API_SSL_write_ex, caller);
    int saved = errno;
    if (!hook_self.busy)
        look_for_request(buf, n, caller);
    errno = saved;
    return real.SSL_write_ex(ssl, buf, n, written);
}

HOOK_EXPORT long SSL_ctrl(void *ssl, int cmd, long larg, void *parg)
{
    HOOK_ENSURE_REAL(openssl, SSL_ctrl, long);
    struct hook_call c;
    if (cmd != SSL_CTRL_SET_TLSEXT_HOSTNAME || larg != TLSEXT_NAMETYPE_host_name || parg == NULL) {
        recorder_count(API_SSL_ctrl, __builtin_return_address(0));
        return real.SSL_ctrl(ssl, cmd, larg, parg);
    }
    if (!recorder_call_begin(&c, API_SSL_ctrl, __builtin_return_address(0)))
        return real.SSL_ctrl(ssl, cmd, larg, parg);
    long r = real.SSL_ctrl(ssl, cmd, larg, parg);
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    call_event_text(e, SUBJECT_HOST, parg);
    call_event_int_result(e, r, r != 1, 0);
    if (e != NULL)
        e->err = -1; /* OpenSSL reports through its error queue, not errno */
    recorder_call_publish(&c, e);
    errno = err;
    return r;
}

static void record_verify(enum hook_api api, void *ret_addr, int mode)
{
    if (mode != SSL_VERIFY_NONE) {
        recorder_count(api, ret_addr);
        return;
    }
    struct hook_call c;
    if (!recorder_call_begin(&c, api, ret_addr))
        return;
    int err = errno;
    struct call_event *e = recorder_call_event(&c);
    if (e != NULL)
        e->flags = FLAG_VERIFY_NONE;
    recorder_call_publish(&c, e);
    errno = err;
}

HOOK_EXPORT void SSL_CTX_set_verify(void *ctx, int mode, void *cb)
{
    HOOK_ENSURE_REAL_VOID(openssl, SSL_CTX_set_verify);
    record_verify(API_SSL_CTX_set_verify, __builtin_return_address(0), mode);
    real.SSL_CTX_set_verify(ctx, mode, cb);
}

HOOK_EXPORT void SSL_set_verify(void *ssl, int mode, void *cb)
{
    HOOK_ENSURE_REAL_VOID(openssl, SSL_set_verify);
    record_verify(API_SSL_set_verify, __builtin_return_address(0), mode);
    real.SSL_set_verify(ssl, mode, cb);
}
