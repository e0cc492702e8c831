#include "http_request.h"

#include <string.h>

#include "redact.h"

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A path segment that names one thing among many: all digits, a UUID, a
 * hex string of 16 or more (hashes, object ids), or a path token of the
 * redaction rules (long base64url, a JWT). */
static bool is_id_segment(const char *s, size_t n)
{
    if (n == 0)
        return false;
    bool digits = true, hex = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            digits = false;
        if (!is_hex(s[i]))
            hex = false;
    }
    if (digits || (hex && n >= 16) || redact_is_path_token(s, n))
        return true;
    if (n == 36) {
        for (size_t i = 0; i < n; i++) {
            bool dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? s[i] != '-' : !is_hex(s[i]))
                return false;
        }
        return true;
    }
    return false;
}

static void template_path(const char *p, size_t n, char out[HTTP_ROUTE_MAX])
{
    size_t len = 0;
    size_t i = 0;
    while (i < n && len < HTTP_ROUTE_MAX - 1) {
        if (p[i] == '/') {
            out[len++] = '/';
            i++;
            continue;
        }
        size_t end = i;
        while (end < n && p[end] != '/')
            end++;
        const char *seg = p + i;
        size_t seg_n = end - i;
        if (is_id_segment(seg, seg_n)) {
            seg = ":id";
            seg_n = 3;
        }
        if (len + seg_n >= HTTP_ROUTE_MAX)
            break;
        memcpy(out + len, seg, seg_n);
        len += seg_n;
        i = end;
    }
    out[len] = '\0';
}

static bool starts_nocase(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n < w)
        return false;
    for (size_t i = 0; i < w; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

bool http_request_parse(const char *buf, size_t n, const char *default_port, struct http_request *out)
{
    size_t m = 0;
    while (m < n && m < HTTP_METHOD_MAX - 1 && buf[m] >= 'A' && buf[m] <= 'Z')
        m++;
    if (m == 0 || m >= n || buf[m] != ' ')
        return false;
    size_t target = m + 1, t_end = target;
    while (t_end < n && buf[t_end] != ' ' && buf[t_end] != '\r' && buf[t_end] != '\n')
        t_end++;
    if (t_end + 6 > n || memcmp(buf + t_end, " HTTP/", 6) != 0)
        return false;
    memcpy(out->method, buf, m);
    out->method[m] = '\0';

    /* absolute-form (proxies): skip scheme://authority */
    const char *path = buf + target;
    size_t path_n = t_end - target;
    const char *scheme = path_n > 3 ? memchr(path, ':', path_n) : NULL;
    if (path_n > 0 && path[0] != '/' && scheme != NULL && (size_t)(scheme - path) + 3 <= path_n &&
        memcmp(scheme, "://", 3) == 0) {
        const char *auth = scheme + 3, *slash = memchr(auth, '/', (size_t)(path + path_n - auth));
        path_n = slash != NULL ? (size_t)(path + path_n - slash) : 0;
        path = slash != NULL ? slash : path + path_n;
    }
    size_t q = 0;
    while (q < path_n && path[q] != '?' && path[q] != '#')
        q++;
    if (q == 0) {
        out->route[0] = '/';
        out->route[1] = '\0';
    } else {
        template_path(path, q, out->route);
    }

    out->host[0] = '\0';
    const char *line = memchr(buf + t_end, '\n', n - t_end);
    while (line != NULL && (size_t)(line + 1 - buf) < n) {
        line++;
        size_t left = n - (size_t)(line - buf);
        const char *eol = memchr(line, '\n', left);
        size_t len = eol != NULL ? (size_t)(eol - line) : left;
        if (len == 0 || (len == 1 && line[0] == '\r'))
            break; /* end of headers */
        if (starts_nocase(line, len, "host:")) {
            const char *v = line + 5, *end = line + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            size_t vn = (size_t)(end - v);
            /* no userinfo in a Host, but never keep anything before an '@' */
            const char *at = memchr(v, '@', vn);
            if (at != NULL) {
                vn -= (size_t)(at + 1 - v);
                v = at + 1;
            }
            bool has_port = vn > 0 && memchr(v, ':', vn) != NULL && v[vn - 1] != ']';
            size_t port_n = has_port || default_port == NULL ? 0 : 1 + strlen(default_port);
            if (vn + port_n < HTTP_HOST_MAX) {
                memcpy(out->host, v, vn);
                if (port_n > 0) {
                    out->host[vn] = ':';
                    memcpy(out->host + vn + 1, default_port, port_n - 1);
                }
                out->host[vn + port_n] = '\0';
            }
            break;
        }
        line = eol;
    }
    return true;
}
