#include "redact.h"

#include <string.h>

static const char *const sensitive_words[] = {
    "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key",
    "auth", "credential", "cookie", "session", "private",
};

static const char *const secret_headers[] = {
    "authorization:", "proxy-authorization:", "cookie:", "x-api-key:",
};

/* ASCII only on purpose: the rules lower-case with the C locale in every
 * language, so "pässword" is not "password" anywhere. */
static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool starts_with_nocase(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (w > n)
        return false;
    for (size_t i = 0; i < w; i++)
        if (ascii_lower(s[i]) != word[i])
            return false;
    return true;
}

bool redact_is_sensitive_word(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof sensitive_words / sizeof *sensitive_words; k++)
            if (starts_with_nocase(s + i, n - i, sensitive_words[k]))
                return true;
    return false;
}

bool redact_is_sensitive_flag(const char *arg, size_t n)
{
    if (n < 2 || arg[0] != '-' || memchr(arg, '=', n) != NULL)
        return false;
    size_t dashes = arg[1] == '-' ? 2 : 1;
    return redact_is_sensitive_word(arg + dashes, n - dashes);
}

/* The output side: rule 2 runs as a filter over what rule 1 produces, so the
 * two rules apply in the documented order without a second buffer. */
struct redact_sink {
    char *out;
    size_t cap; /* room for text, the NUL excluded */
    size_t len;
    bool truncated;
    bool hiding_value; /* rule 2: inside a sensitive value, dropping bytes */
};

static void sink_emit(struct redact_sink *k, char c)
{
    if (k->len < k->cap)
        k->out[k->len++] = c;
    else
        k->truncated = true;
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static bool ends_value(char c)
{
    return c == '&' || c == ';' || c == ' ';
}

/* Rule 2, fed one byte of rule 1's output at a time. The key of an '=' is
 * read back from what was already emitted: a hidden value always ends at a
 * delimiter, so a key never reaches into replaced text. */
static void sink_put(struct redact_sink *k, char c)
{
    if (k->hiding_value) {
        if (!ends_value(c))
            return;
        k->hiding_value = false;
    }
    if (c == '=' && !k->truncated) {
        size_t key_start = k->len;
        while (key_start > 0 && is_key_char(k->out[key_start - 1]))
            key_start--;
        sink_emit(k, '=');
        if (redact_is_sensitive_word(k->out + key_start, k->len - 1 - key_start)) {
            sink_emit(k, '*');
            sink_emit(k, '*');
            sink_emit(k, '*');
            k->hiding_value = true;
        }
        return;
    }
    sink_emit(k, c);
}

static void sink_put_n(struct redact_sink *k, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sink_put(k, s[i]);
}

/* Rule 3: "Authorization: Bearer x" keeps its name and becomes
 * "Authorization: ***". Returns false when the string is no such header. */
static bool redact_header(const char *in, size_t n, struct redact_sink *k)
{
    size_t start = 0;
    while (start < n && in[start] == ' ')
        start++;
    for (size_t h = 0; h < sizeof secret_headers / sizeof *secret_headers; h++) {
        size_t name_n = strlen(secret_headers[h]) - 1; /* without the ':' */
        if (starts_with_nocase(in + start, n - start, secret_headers[h])) {
            for (size_t i = 0; i < name_n; i++)
                sink_emit(k, in[start + i]);
            sink_emit(k, ':');
            sink_emit(k, ' ');
            sink_emit(k, '*');
            sink_emit(k, '*');
            sink_emit(k, '*');
            return true;
        }
    }
    return false;
}

size_t redact_text(const char *in, size_t n, char *out, size_t cap, bool *truncated)
{
    struct redact_sink k = { .out = out, .cap = cap > 0 ? cap - 1 : 0 };

    if (!redact_header(in, n, &k)) {
        /* Rule 1: credentials in URL authorities. */
        size_t i = 0;
        while (i < n) {
            if (i + 3 <= n && memcmp(in + i, "://", 3) == 0) {
                sink_put_n(&k, "://", 3);
                size_t auth = i + 3, end = auth, at = (size_t)-1;
                while (end < n && in[end] != '/' && in[end] != '?' && in[end] != '#') {
                    if (in[end] == '@')
                        at = end;
                    end++;
                }
                if (at != (size_t)-1) {
                    const char *colon = memchr(in + auth, ':', at - auth);
                    if (colon != NULL)
                        sink_put_n(&k, in + auth, (size_t)(colon - (in + auth)) + 1);
                    sink_put_n(&k, "***", 3);
                    auth = at;
                }
                sink_put_n(&k, in + auth, end - auth);
                i = end;
            } else {
                sink_put(&k, in[i]);
                i++;
            }
        }
    }
    if (cap > 0)
        out[k.len] = '\0';
    if (truncated != NULL)
        *truncated = k.truncated || cap == 0;
    return k.len;
}

size_t redact_argv_element(const char *prev, size_t prev_n, const char *arg, size_t n,
                           char *out, size_t cap, bool *truncated)
{
    if (prev != NULL && redact_is_sensitive_flag(prev, prev_n))
        return redact_text("***", 3, out, cap, truncated);
    return redact_text(arg, n, out, cap, truncated);
}
