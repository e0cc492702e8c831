/* JSON text written into a caller-owned buffer: no allocation, no locale, no
 * stdio, so it is safe in constructors, fork children and (later) hooks. */
#ifndef APITRACE_JSON_OUT_H
#define APITRACE_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_out {
    char *buf;
    size_t cap;
    size_t len;
    /* Set once something did not fit; the text is then incomplete and the
     * caller must rewind or drop it. */
    bool overflow;
};

void json_out_init(struct json_out *o, char *buf, size_t cap);

/* Copies text that is already valid JSON (punctuation, keys we spell). */
void json_out_raw(struct json_out *o, const char *s, size_t n);
#define json_out_lit(o, literal) json_out_raw((o), (literal), sizeof(literal) - 1)
/* A NUL-terminated string that is already valid JSON text (a key we spell). */
void json_out_raw_cstring(struct json_out *o, const char *s);

/* A quoted JSON string from arbitrary bytes: quotes, backslashes and control
 * characters are escaped; bytes that are not well-formed UTF-8 become
 * \ufffd (one per maximal ill-formed subpart, as WHATWG decoders do). */
void json_out_string(struct json_out *o, const char *s, size_t n);
void json_out_cstring(struct json_out *o, const char *s);

void json_out_u64(struct json_out *o, uint64_t v);
void json_out_i64(struct json_out *o, int64_t v);

/* Mark/rewind let a writer try an optional piece (one argv element) and take
 * it back when it does not fit. */
static inline size_t json_out_mark(const struct json_out *o)
{
    return o->len;
}
void json_out_rewind(struct json_out *o, size_t mark);

#endif
