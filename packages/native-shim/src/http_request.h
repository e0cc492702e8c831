/* The three things apitrace keeps of an HTTP/1.x request seen in TLS
 * plaintext: method, Host and the path as a template (numeric, UUID and
 * long hex segments become :id). Never the query, never other headers,
 * never the body. Pure, no allocation. */
#ifndef APITRACE_HTTP_REQUEST_H
#define APITRACE_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_METHOD_MAX 16
#define HTTP_HOST_MAX 256
#define HTTP_ROUTE_MAX 512

struct http_request {
    char method[HTTP_METHOD_MAX];
    char host[HTTP_HOST_MAX]; /* host:port; default_port added when absent */
    char route[HTTP_ROUTE_MAX];
};

/* false unless buf starts with a request line "METHOD /path HTTP/1.x". */
bool http_request_parse(const char *buf, size_t n, const char *default_port, struct http_request *out);

#endif
