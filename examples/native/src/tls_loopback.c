// The network half of the native example: OpenSSL on both ends of a loopback TCP
// connection, so the shim sees connect, accept, SSL_connect, SSL_write and SSL_read
// without any network beyond this machine.
#include "tls_loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct tls_loopback {
    int listener;
    int port;
    SSL_CTX *ctx;
    pthread_t thread;
    int result;
};

static void report_openssl(const char *what) {
    fprintf(stderr, "native example: %s failed:\n", what);
    ERR_print_errors_fp(stderr);
}

/* A key pair and a certificate for CN=localhost valid for a day, signed by itself. */
static int make_self_signed(EVP_PKEY **key, X509 **cert) {
    *key = EVP_EC_gen("P-256");
    *cert = X509_new();
    if (!*key || !*cert) return -1;
    X509_set_version(*cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(*cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(*cert), 24 * 60 * 60);
    X509_NAME *name = X509_get_subject_name(*cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(*cert, name);
    X509_set_pubkey(*cert, *key);
    return X509_sign(*cert, *key, EVP_sha256()) > 0 ? 0 : -1;
}

/* Reads until the blank line that ends an HTTP request head (or the buffer is full). */
static int read_request_head(SSL *ssl, char *buf, size_t size) {
    size_t used = 0;
    while (used + 1 < size) {
        int n = SSL_read(ssl, buf + used, (int)(size - 1 - used));
        if (n <= 0) return -1;
        used += (size_t)n;
        buf[used] = '\0';
        if (strstr(buf, "\r\n\r\n")) return 0;
    }
    return -1;
}

static void *serve_one_request(void *arg) {
    struct tls_loopback *server = arg;
    server->result = -1;
    int fd = accept(server->listener, NULL, NULL);
    if (fd < 0) return NULL;
    SSL *ssl = SSL_new(server->ctx);
    char request[1024];
    if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1 && read_request_head(ssl, request, sizeof request) == 0) {
        int known = strncmp(request, "GET /status ", 12) == 0;
        const char *body = known ? "ledger service ok\n" : "not found\n";
        char response[256];
        int len = snprintf(response, sizeof response, "HTTP/1.1 %s\r\ncontent-length: %zu\r\nconnection: close\r\n\r\n%s",
                           known ? "200 OK" : "404 Not Found", strlen(body), body);
        if (SSL_write(ssl, response, len) == len) server->result = 0;
        SSL_shutdown(ssl);
    } else {
        report_openssl("the TLS server's handshake");
    }
    SSL_free(ssl);
    close(fd);
    return NULL;
}

struct tls_loopback *tls_loopback_start(void) {
    struct tls_loopback *server = calloc(1, sizeof *server);
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    if (!server) return NULL;
    server->listener = -1;
    server->ctx = SSL_CTX_new(TLS_server_method());
    if (!server->ctx || make_self_signed(&key, &cert) != 0 || SSL_CTX_use_certificate(server->ctx, cert) != 1
        || SSL_CTX_use_PrivateKey(server->ctx, key) != 1) {
        report_openssl("making the server's self-signed certificate");
        goto failed;
    }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t addr_len = sizeof addr;
    server->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (server->listener < 0 || bind(server->listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server->listener, 1) != 0
        || getsockname(server->listener, (struct sockaddr *)&addr, &addr_len) != 0) {
        perror("native example: listening on 127.0.0.1");
        goto failed;
    }
    server->port = ntohs(addr.sin_port);
    if (pthread_create(&server->thread, NULL, serve_one_request, server) != 0) {
        fprintf(stderr, "native example: cannot start the TLS server thread\n");
        goto failed;
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    return server;
failed:
    EVP_PKEY_free(key);
    X509_free(cert);
    if (server->listener >= 0) close(server->listener);
    SSL_CTX_free(server->ctx);
    free(server);
    return NULL;
}

int tls_loopback_port(const struct tls_loopback *server) {
    return server->port;
}

int tls_loopback_finish(struct tls_loopback *server) {
    pthread_join(server->thread, NULL);
    int result = server->result;
    close(server->listener);
    SSL_CTX_free(server->ctx);
    free(server);
    return result;
}

/* Reads the whole response (the server closes after it) and returns its status; body gets what follows the head. */
static int read_response(SSL *ssl, char *body, size_t body_size) {
    char response[2048];
    size_t used = 0;
    int n;
    while (used + 1 < sizeof response && (n = SSL_read(ssl, response + used, (int)(sizeof response - 1 - used))) > 0) used += (size_t)n;
    response[used] = '\0';
    int status = -1;
    const char *head_end = strstr(response, "\r\n\r\n");
    if (!head_end || sscanf(response, "HTTP/1.1 %d", &status) != 1) return -1;
    snprintf(body, body_size, "%s", head_end + 4);
    return status;
}

int tls_get(int port, const char *path, char *body, size_t body_size) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return -1;
    // SSL_VERIFY_NONE on purpose: the verify_none finding this example documents. The server's
    // certificate is self-signed and made a moment ago, so there is nothing to verify it against.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    int status = -1;
    SSL *ssl = NULL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("native example: connecting to the TLS server");
        goto done;
    }
    ssl = SSL_new(ctx);
    if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_set_tlsext_host_name(ssl, "localhost") != 1 || SSL_connect(ssl) != 1) {
        report_openssl("the TLS client's handshake");
        goto done;
    }
    char request[256];
    int len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nhost: localhost:%d\r\nconnection: close\r\n\r\n", path, port);
    if (SSL_write(ssl, request, len) == len) status = read_response(ssl, body, body_size);
    SSL_shutdown(ssl);
done:
    SSL_free(ssl);
    if (fd >= 0) close(fd);
    SSL_CTX_free(ctx);
    return status;
}
