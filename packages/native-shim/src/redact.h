/* Redaction of argv and other recorded text, exactly the rules of
 * docs/events.md ("Redaction"), shared with the Node and JVM emitters through
 * packages/core/schema/redaction-vectors.json. Pure functions over caller
 * buffers: no allocation, no locale, thread-safe. */
#ifndef APITRACE_REDACT_H
#define APITRACE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* True when the text, ASCII-lower-cased, contains one of the sensitive words
 * (pass, pwd, secret, token, ...). */
bool redact_is_sensitive_word(const char *s, size_t n);

/* Rule 4: a bare flag (-x or --name, no '=') whose name is sensitive; the
 * argv element after it is replaced whole. */
bool redact_is_sensitive_flag(const char *arg, size_t n);

/* Rule 5: a URL path segment that is a token (long hex, long base64url with
 * a digit, a JWT), not a name. */
bool redact_is_path_token(const char *s, size_t n);

/* Rules 1, 2, 3, 5 and 6 on one string, into out (NUL-terminated). Returns
 * the length written. When out is too small the result is cut short and
 * *truncated is set; any prefix is safe to record because every decision to
 * hide text is taken before that text would be copied. */
size_t redact_text(const char *in, size_t n, char *out, size_t cap, bool *truncated);

/* What argv redaction carries from one element to the next; start zeroed. */
struct redact_argv_state {
    bool mask_next;   /* rule 4: the previous element was a sensitive bare flag */
    bool after_mysql; /* rule 6: a MySQL client program was named */
};

/* One argv element: "***" when the previous element is a sensitive bare
 * flag, else the rules of redact_text, with rule 6 continuing from the
 * elements before. */
size_t redact_argv_element(struct redact_argv_state *state, const char *arg, size_t n, char *out, size_t cap,
                           bool *truncated);

#endif
