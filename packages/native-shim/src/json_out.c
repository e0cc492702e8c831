#include "json_out.h"

#include <string.h>

void json_out_init(struct json_out *o, char *buf, size_t cap)
{
    o->buf = buf;
    o->cap = cap;
    o->len = 0;
    o->overflow = false;
}

void json_out_rewind(struct json_out *o, size_t mark)
{
    if (mark <= o->len) {
        o->len = mark;
        o->overflow = false;
    }
}

void json_out_raw(struct json_out *o, const char *s, size_t n)
{
    if (o->overflow || n > o->cap - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_escaped_byte(struct json_out *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
    switch (c) {
    case '"': json_out_lit(o, "\\\""); return;
    case '\\': json_out_lit(o, "\\\\"); return;
    case '\n': json_out_lit(o, "\\n"); return;
    case '\r': json_out_lit(o, "\\r"); return;
    case '\t': json_out_lit(o, "\\t"); return;
    case '\b': json_out_lit(o, "\\b"); return;
    case '\f': json_out_lit(o, "\\f"); return;
    default: json_out_raw(o, esc, sizeof esc); return;
    }
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when ill-formed;
 * then *bad is how many bytes form the maximal ill-formed subpart (>= 1). */
static size_t utf8_sequence(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong forms */
        if (c == 0xed)
            hi = 0x9f; /* no UTF-16 surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90; /* no overlong forms */
        if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;
        if (i >= n || s[i] < min || s[i] > max) {
            *bad = i;
            return 0;
        }
    }
    return need + 1;
}

void json_out_string(struct json_out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    json_out_lit(o, "\"");
    while (i < n && !o->overflow) {
        /* Copy the longest run that needs no escaping in one go. */
        size_t run = i;
        while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            json_out_raw(o, str + i, run - i);
            i = run;
            continue;
        }
        if (s[i] < 0x80) {
            put_escaped_byte(o, s[i]);
            i++;
            continue;
        }
        size_t bad = 0, len = utf8_sequence(s + i, n - i, &bad);
        if (len > 0) {
            json_out_raw(o, str + i, len);
            i += len;
        } else {
            json_out_lit(o, "\\ufffd");
            i += bad;
        }
    }
    json_out_lit(o, "\"");
}

void json_out_cstring(struct json_out *o, const char *s)
{
    json_out_string(o, s, strlen(s));
}

void json_out_u64(struct json_out *o, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    json_out_raw(o, digits + sizeof digits - n, n);
}

void json_out_i64(struct json_out *o, int64_t v)
{
    if (v < 0) {
        json_out_lit(o, "-");
        /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
        json_out_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        json_out_u64(o, (uint64_t)v);
    }
}

void json_out_raw_cstring(struct json_out *o, const char *s)
{
    json_out_raw(o, s, strlen(s));
}
