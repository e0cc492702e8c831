#include <stdint.h>
#include <string.h>

#include "json_out.h"
#include "test_harness.h"

/* Escapes n bytes of in and compares with the expected JSON text. */
static void expect_string(const char *name, const char *in, size_t n, const char *expected)
{
    char buf[256];
    struct json_out o;
    json_out_init(&o, buf, sizeof buf);
    json_out_string(&o, in, n);
    test_begin(name);
    EXPECT(!o.overflow, "overflowed");
    EXPECT(o.len == strlen(expected) && memcmp(buf, expected, o.len) == 0, "got %.*s, want %s", (int)o.len, buf,
           expected);
    test_end();
}

#define EXPECT_STRING(name, lit, expected) expect_string(name, lit, sizeof(lit) - 1, expected)

static void expect_number(const char *name, int64_t v, bool is_signed, const char *expected)
{
    char buf[32];
    struct json_out o;
    json_out_init(&o, buf, sizeof buf);
    if (is_signed)
        json_out_i64(&o, v);
    else
        json_out_u64(&o, (uint64_t)v);
    test_begin(name);
    EXPECT(o.len == strlen(expected) && memcmp(buf, expected, o.len) == 0, "got %.*s, want %s", (int)o.len, buf,
           expected);
    test_end();
}

void run_json_out_tests(void)
{
    EXPECT_STRING("json_out: plain ASCII is copied", "node app.js", "\"node app.js\"");
    EXPECT_STRING("json_out: quote and backslash are escaped", "a\"b\\c", "\"a\\\"b\\\\c\"");
    EXPECT_STRING("json_out: named control escapes", "\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
    EXPECT_STRING("json_out: other control chars and DEL as \\u00XX", "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
    EXPECT_STRING("json_out: embedded NUL is escaped", "a\0b", "\"a\\u0000b\"");
    EXPECT_STRING("json_out: valid UTF-8 (2, 3, 4 bytes) is kept", "na\xc3\xafve \xe2\x82\xac \xf0\x9d\x84\x9e",
                  "\"na\xc3\xafve \xe2\x82\xac \xf0\x9d\x84\x9e\"");
    EXPECT_STRING("json_out: stray byte 0xff becomes \\ufffd",
                  "a\xff"
                  "b",
                  "\"a\\ufffdb\"");
    EXPECT_STRING("json_out: lone continuation byte becomes \\ufffd", "\x80", "\"\\ufffd\"");
    EXPECT_STRING("json_out: sequence cut at the end is one \\ufffd", "x\xe2\x82", "\"x\\ufffd\"");
    EXPECT_STRING("json_out: sequence cut by ASCII is one \\ufffd then the ASCII",
                  "\xe2\x82"
                  "A",
                  "\"\\ufffdA\"");
    EXPECT_STRING("json_out: overlong encoding is rejected", "\xc0\xaf", "\"\\ufffd\\ufffd\"");
    EXPECT_STRING("json_out: UTF-16 surrogate is rejected", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    EXPECT_STRING("json_out: code point above U+10FFFF is rejected", "\xf4\x90\x80\x80",
                  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    EXPECT_STRING("json_out: empty string", "", "\"\"");

    expect_number("json_out: u64 zero", 0, false, "0");
    expect_number("json_out: u64 max", -1, false, "18446744073709551615");
    expect_number("json_out: i64 negative", -42, true, "-42");
    expect_number("json_out: i64 min", INT64_MIN, true, "-9223372036854775808");

    test_begin("json_out: overflow is flagged and rewind takes a piece back");
    char small[8];
    struct json_out o;
    json_out_init(&o, small, sizeof small);
    json_out_lit(&o, "[");
    size_t mark = json_out_mark(&o);
    json_out_cstring(&o, "too long for it");
    EXPECT(o.overflow, "no overflow reported");
    EXPECT(o.len <= sizeof small, "wrote past the buffer");
    json_out_rewind(&o, mark);
    EXPECT(!o.overflow && o.len == 1, "rewind did not restore the mark");
    json_out_lit(&o, "]");
    EXPECT(o.len == 2 && memcmp(small, "[]", 2) == 0, "got %.*s", (int)o.len, small);
    test_end();
}
