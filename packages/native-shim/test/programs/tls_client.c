/* Test program: an HTTPS request over a socketpair to a TLS server thread
 * in the same process, with SNI set and certificate verification turned
 * off. The request carries a secret query value and an Authorization
 * header, which must not reach the event file. usage: tls_client cert key */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fds[2];
static const char *cert, *key;

static void *serve(void *unused)
{
    (void)unused;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        return NULL;
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fds[1]);
    if (SSL_accept(ssl) == 1) {
        char buf[4096];
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) {
            static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            SSL_write(ssl, reply, sizeof reply - 1);
        }
    }
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    cert = argv[1];
    key = argv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return 2;
    pthread_t server;
    pthread_create(&server, NULL, serve, NULL);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL *ssl = SSL_new(ctx);
    SSL_set_tlsext_host_name(ssl, "api.example.test");
    SSL_set_fd(ssl, fds[0]);
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stderr);
        return 3;
    }
    static const char request[] = "GET /users/42/orders/9f8e7d6c5b4a39281706f5e4d3c2b1a0?token=sekrit HTTP/1.1\r\n"
                                  "Host: api.example.test\r\nAuthorization: Bearer hunter2\r\n\r\n";
    SSL_write(ssl, request, sizeof request - 1);
    char buf[256];
    int n = SSL_read(ssl, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("%s\n", strstr(buf, "200 OK") != NULL ? "ok" : "no reply");
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    pthread_join(server, NULL);
    return 0;
}
