#include "redact.h"

#include <string.h>

static const char *const sensitive_words[] = {
    "pass",    "pwd",  "secret",     "token",  "apikey",  "api_key",
    "api-key", "auth", "credential", "cookie", "session", "private",
};

static const char *const secret_headers[] = {
    "authorization:",
    "proxy-authorization:",
    "cookie:",
    "x-api-key:",
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

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_ascii_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_base64url(char c)
{
    return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_jwt(const char *s, size_t n)
{
    if (n < 3 || memcmp(s, "eyJ", 3) != 0) /* base64url of the header's {" */
        return false;
    size_t dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (!is_base64url(s[i]))
            return false;
    }
    return dots >= 2;
}

bool redact_is_path_token(const char *s, size_t n)
{
    if (is_jwt(s, n))
        return true;
    if (n < 32)
        return false;
    bool hex = true, base64url = true, digit = false, letter = false;
    for (size_t i = 0; i < n; i++) {
        hex = hex && is_hex_digit(s[i]);
        base64url = base64url && is_base64url(s[i]);
        digit = digit || (s[i] >= '0' && s[i] <= '9');
        letter = letter || is_ascii_letter(s[i]);
    }
    return hex || (base64url && digit && letter);
}

/* Rule 6 reads each word (a run of non-space characters) as it streams by. */
enum word_state {
    WORD_START,   /* nothing but quotes so far */
    WORD_FLAGS,   /* '-' and letters other than p */
    WORD_AFTER_P, /* ... then p: what follows is a glued password */
    WORD_HIDING,  /* dropping the password to the end of the word */
    WORD_OTHER,
};

/* The output side: rule 2 runs as a filter over what rules 1 and 5 produce,
 * and rule 6 over what rule 2 produces, so the rules apply in the documented
 * order without a second buffer. */
struct redact_sink {
    char *out;
    size_t cap; /* room for text, the NUL excluded */
    size_t len;
    bool truncated;
    bool hiding_value; /* rule 2: inside a sensitive value, dropping bytes */
    /* rule 6 */
    bool after_mysql; /* a MySQL client program was named before this word */
    enum word_state word;
    size_t name_len;               /* characters of the word's last path component, quotes first aside */
    bool name_mysql, name_mariadb; /* ... still a prefix of "mysql" / "mariadb" */
};

static void sink_emit(struct redact_sink *k, char c)
{
    if (k->len < k->cap)
        k->out[k->len++] = c;
    else
        k->truncated = true;
}

static void sink_start_name(struct redact_sink *k)
{
    k->name_len = 0;
    k->name_mysql = k->name_mariadb = true;
}

static void sink_end_word(struct redact_sink *k)
{
    if ((k->name_mysql && k->name_len >= 5) || (k->name_mariadb && k->name_len >= 7))
        k->after_mysql = true;
    sink_start_name(k);
    k->word = WORD_START;
}

/* Rule 6, fed one byte of rule 2's output at a time. */
static void sink_word(struct redact_sink *k, char c)
{
    if (is_ascii_space(c)) {
        sink_end_word(k);
        sink_emit(k, c);
        return;
    }
    if (c == '/') {
        sink_start_name(k);
    } else if (!(k->name_len == 0 && (c == '\'' || c == '"'))) {
        if (k->name_len < 5 && c != "mysql"[k->name_len])
            k->name_mysql = false;
        if (k->name_len < 7 && c != "mariadb"[k->name_len])
            k->name_mariadb = false;
        k->name_len++;
    }
    switch (k->word) {
    case WORD_START:
        if (c == '-')
            k->word = WORD_FLAGS;
        else if (c != '\'' && c != '"')
            k->word = WORD_OTHER;
        break;
    case WORD_FLAGS:
        if (c == 'p')
            k->word = k->after_mysql ? WORD_AFTER_P : WORD_OTHER;
        else if (!is_ascii_letter(c))
            k->word = WORD_OTHER;
        break;
    case WORD_AFTER_P:
        sink_emit(k, '*');
        sink_emit(k, '*');
        sink_emit(k, '*');
        k->word = WORD_HIDING;
        return;
    case WORD_HIDING: return;
    case WORD_OTHER: break;
    }
    sink_emit(k, c);
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

static bool ends_value(char c)
{
    return c == '&' || c == ';' || c == ' ';
}

/* Rule 2, fed one byte of rules 1 and 5's output at a time. The key of an
 * '=' is read back from what was already emitted: a hidden value always ends
 * at a delimiter, so a key never reaches into replaced text. */
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
        bool sensitive = redact_is_sensitive_word(k->out + key_start, k->len - key_start);
        sink_word(k, '=');
        if (sensitive) {
            sink_word(k, '*');
            sink_word(k, '*');
            sink_word(k, '*');
            k->hiding_value = true;
        }
        return;
    }
    sink_word(k, c);
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
    while (start < n && is_ascii_space(in[start]))
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

/* Where a URL path starting at i ends: a query, fragment, space, quote or
 * the next URL. */
static size_t url_path_end(const char *in, size_t n, size_t i)
{
    while (i < n && !is_ascii_space(in[i]) && in[i] != '?' && in[i] != '#' && in[i] != '\'' && in[i] != '"' &&
           !(i + 3 <= n && memcmp(in + i, "://", 3) == 0))
        i++;
    return i;
}

/* Rule 5: the path's segments, each whole or as "***". */
static void put_url_path(struct redact_sink *k, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == '/') {
            sink_put(k, '/');
            i++;
            continue;
        }
        const char *slash = memchr(p + i, '/', n - i);
        size_t end = slash != NULL ? (size_t)(slash - p) : n;
        if (redact_is_path_token(p + i, end - i))
            sink_put_n(k, "***", 3);
        else
            sink_put_n(k, p + i, end - i);
        i = end;
    }
}

static size_t redact_with_state(const char *in, size_t n, char *out, size_t cap, bool *truncated, bool *after_mysql)
{
    struct redact_sink k = { .out = out, .cap = cap > 0 ? cap - 1 : 0, .after_mysql = *after_mysql };
    sink_start_name(&k);

    if (!redact_header(in, n, &k)) {
        /* Rules 1 and 5: credentials in URL authorities, tokens in URL paths. */
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
                if (i < n && in[i] == '/') {
                    size_t path_end = url_path_end(in, n, i);
                    put_url_path(&k, in + i, path_end - i);
                    i = path_end;
                }
            } else {
                sink_put(&k, in[i]);
                i++;
            }
        }
        sink_end_word(&k); /* the last word ends with the string */
        *after_mysql = k.after_mysql;
    }
    if (cap > 0)
        out[k.len] = '\0';
    if (truncated != NULL)
        *truncated = k.truncated || cap == 0;
    return k.len;
}

size_t redact_text(const char *in, size_t n, char *out, size_t cap, bool *truncated)
{
    bool after_mysql = false;
    return redact_with_state(in, n, out, cap, truncated, &after_mysql);
}

/* Rule 6's shape: quotes, '-', letters other than p, p, one more character. */
static bool is_glued_password(const char *arg, size_t n)
{
    size_t i = 0;
    while (i < n && (arg[i] == '\'' || arg[i] == '"'))
        i++;
    if (i >= n || arg[i] != '-')
        return false;
    for (i++; i < n && arg[i] != 'p'; i++)
        if (!is_ascii_letter(arg[i]))
            return false;
    return i + 1 < n;
}

size_t redact_argv_element(struct redact_argv_state *state, const char *arg, size_t n, char *out, size_t cap,
                           bool *truncated)
{
    /* -pSECRET after a MySQL program is a password (rule 6), not a flag named "pSECRET" */
    bool glued = state->after_mysql && is_glued_password(arg, n);
    size_t len = state->mask_next ? redact_text("***", 3, out, cap, truncated)
                                  : redact_with_state(arg, n, out, cap, truncated, &state->after_mysql);
    state->mask_next = redact_is_sensitive_flag(arg, n) && !glued;
    return len;
}
