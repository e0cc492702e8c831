/* What the shim keeps of an HTTP request seen in TLS plaintext: method,
 * Host and a path template, never the query or other headers. */
#include <string.h>

#include "http_request.h"
#include "test_harness.h"

static bool parse(const char *text, struct http_request *req)
{
    memset(req, 0, sizeof *req);
    return http_request_parse(text, strlen(text), "443", req);
}

static void test_templates(void)
{
    struct http_request r;
    test_begin("http_request: numeric, UUID and long hex segments become :id; the query is dropped");
    EXPECT(
        parse("GET /users/42/orders/9f8e7d6c5b4a39281706f5e4d3c2b1a0?token=x HTTP/1.1\r\nHost: api.test\r\n\r\n", &r),
        "not parsed");
    EXPECT(strcmp(r.method, "GET") == 0, "method %s", r.method);
    EXPECT(strcmp(r.route, "/users/:id/orders/:id") == 0, "route %s", r.route);
    EXPECT(strcmp(r.host, "api.test:443") == 0, "host %s", r.host);
    EXPECT(parse("DELETE /items/123e4567-e89b-12d3-a456-426614174000/tags/v2 HTTP/1.0\r\n\r\n", &r) &&
               strcmp(r.route, "/items/:id/tags/v2") == 0 && r.host[0] == '\0',
           "uuid route %s host %s", r.route, r.host);
    EXPECT(parse("GET /cafe/deadbeef HTTP/1.1\r\n\r\n", &r) && strcmp(r.route, "/cafe/deadbeef") == 0,
           "short hex words are kept: %s", r.route);
    EXPECT(parse("GET /?q=1 HTTP/1.1\r\n\r\n", &r) && strcmp(r.route, "/") == 0, "root %s", r.route);
    test_end();

    test_begin("http_request: path tokens of the redaction rules (JWT, long base64url) become :id");
    EXPECT(parse("GET /reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl/done HTTP/1.1\r\n\r\n", &r) &&
               strcmp(r.route, "/reset/:id/done") == 0,
           "jwt route %s", r.route);
    EXPECT(parse("GET /dl/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_- HTTP/1.1\r\n\r\n", &r) &&
               strcmp(r.route, "/dl/:id") == 0,
           "base64url route %s", r.route);
    EXPECT(parse("GET /docs/getting-started-with-the-api HTTP/1.1\r\n\r\n", &r) &&
               strcmp(r.route, "/docs/getting-started-with-the-api") == 0,
           "a long name became %s", r.route);
    test_end();
}

static void test_hosts_and_forms(void)
{
    struct http_request r;
    test_begin("http_request: Host keeps its port, loses userinfo; absolute-form targets; not a request");
    EXPECT(parse("POST /a HTTP/1.1\r\nAccept: */*\r\nhOsT:  example.org:8443 \r\nCookie: s=1\r\n\r\nbody", &r) &&
               strcmp(r.host, "example.org:8443") == 0 && strcmp(r.method, "POST") == 0,
           "host %s", r.host);
    EXPECT(parse("GET /a HTTP/1.1\r\nHost: user:pw@example.org\r\n\r\n", &r) && strcmp(r.host, "example.org:443") == 0,
           "userinfo kept: %s", r.host);
    EXPECT(parse("GET /a HTTP/1.1\r\nHost: [::1]\r\n\r\n", &r) && strcmp(r.host, "[::1]:443") == 0, "v6 %s", r.host);
    EXPECT(parse("GET https://proxy.test/x/7?y=1 HTTP/1.1\r\n\r\n", &r) && strcmp(r.route, "/x/:id") == 0,
           "absolute form %s", r.route);
    EXPECT(!parse("HTTP/1.1 200 OK\r\n\r\n", &r), "a response parsed as a request");
    EXPECT(!parse("\x16\x03\x01\x02\x00", &r), "binary parsed as a request");
    EXPECT(!parse("get /lower HTTP/1.1\r\n\r\n", &r), "lower-case method parsed");
    test_end();
}

void run_http_request_tests(void)
{
    test_templates();
    test_hosts_and_forms();
}
