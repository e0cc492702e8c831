#ifndef TLS_LOOPBACK_H
#define TLS_LOOPBACK_H

#include <stddef.h>

/*
 * A TLS server on 127.0.0.1 in a thread of this process, with a self-signed certificate
 * made in memory at start, answering exactly one HTTP request; and a client for it.
 */
struct tls_loopback;

/* Starts the server thread; NULL on failure (after a message on stderr). */
struct tls_loopback *tls_loopback_start(void);

/* The port the server listens on. */
int tls_loopback_port(const struct tls_loopback *server);

/* Waits for the server thread to finish its one exchange and frees it. 0 when it went well. */
int tls_loopback_finish(struct tls_loopback *server);

/*
 * Sends `GET path` over TLS to 127.0.0.1:port and copies the response body into body.
 * The client does not verify the server's certificate (SSL_VERIFY_NONE), on purpose.
 * Returns the HTTP status, or -1.
 */
int tls_get(int port, const char *path, char *body, size_t body_size);

#endif
