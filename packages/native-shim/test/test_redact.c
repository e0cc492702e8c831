#include <stdio.h>
#include <string.h>

#include "redact.h"
#include "redaction_vectors.h"
#include "test_harness.h"

static void run_vector(size_t index, const struct redaction_vector *v)
{
    char name[256], out[1024];
    snprintf(name, sizeof name, "redact: shared vector %zu (%s%s%s)", index, v->argc > 0 ? v->argv[0] : "empty argv",
             v->argc > 1 ? " " : "", v->argc > 1 ? v->argv[1] : "");
    test_begin(name);
    EXPECT(v->argc == v->redacted_count, "vector has %zu in, %zu out", v->argc, v->redacted_count);
    struct redact_argv_state state = { 0 };
    for (size_t i = 0; i < v->argc && i < v->redacted_count; i++) {
        bool cut = false;
        size_t n = redact_argv_element(&state, v->argv[i], strlen(v->argv[i]), out, sizeof out, &cut);
        EXPECT(!cut, "argv[%zu] reported truncated", i);
        EXPECT(n == strlen(out), "argv[%zu]: returned length %zu, string length %zu", i, n, strlen(out));
        EXPECT(strcmp(out, v->redacted[i]) == 0, "argv[%zu] \"%s\" became \"%s\", want \"%s\"", i, v->argv[i], out,
               v->redacted[i]);
    }
    test_end();
}

/* Whatever the output room, no prefix of the result holds the secret. */
static void expect_no_leak_when_cut(const char *name, const char *in, const char *secret)
{
    test_begin(name);
    for (size_t cap = 1; cap <= strlen(in) + 8; cap++) {
        char out[256];
        bool cut = false;
        redact_text(in, strlen(in), out, cap, &cut);
        EXPECT(strstr(out, secret) == NULL, "cap %zu leaked: %s", cap, out);
        EXPECT(strlen(out) < cap, "cap %zu: wrote %zu bytes", cap, strlen(out));
    }
    test_end();
}

void run_redact_tests(void)
{
    size_t count = sizeof redaction_vectors / sizeof *redaction_vectors;
    test_begin("redact: the shared vectors were generated");
    EXPECT(count >= 20, "only %zu vectors", count);
    test_end();
    for (size_t i = 0; i < count; i++)
        run_vector(i, &redaction_vectors[i]);

    expect_no_leak_when_cut("redact: a cut URL never shows its password", "https://user:hunter2@example.com/x",
                            "hunter2");
    expect_no_leak_when_cut("redact: a cut key=value never shows the value", "--db-password=hunter2&x=1", "hunter2");
    expect_no_leak_when_cut("redact: a cut header never shows its value", "  Proxy-Authorization: Basic hunter2",
                            "hunter2");
    expect_no_leak_when_cut("redact: a cut URL path never shows its token",
                            "https://h/r/0123456789abcdef0123456789abcdefhunter2", "hunter2");
    expect_no_leak_when_cut("redact: a cut command never shows a glued MySQL password", "mysql -uroot -phunter2 shop",
                            "hunter2");

    test_begin("redact: a sensitive flag hides the next element whole");
    char out[64];
    struct redact_argv_state state = { .mask_next = true };
    redact_argv_element(&state, "https://a:b@h/?x=1", 18, out, sizeof out, NULL);
    EXPECT(strcmp(out, "***") == 0, "got %s", out);
    EXPECT(!redact_is_sensitive_flag("--password=x", 12), "flag with '=' counted as bare");
    EXPECT(!redact_is_sensitive_flag("-", 1) && !redact_is_sensitive_flag("--", 2), "empty flag name");
    EXPECT(redact_is_sensitive_flag("-pwd", 4), "-pwd not sensitive");
    test_end();
}
