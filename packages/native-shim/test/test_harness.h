/* A minimal TAP-like harness: one "ok - name" / "not ok - name: why" line
 * per test, and "N passed, N failed" as the last line. */
#ifndef APITRACE_TEST_HARNESS_H
#define APITRACE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

void test_begin(const char *name);
/* Records why the current test fails (the first reason is printed). */
void test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_end(void);
int test_summary(void); /* prints the last line; returns the exit status */

#define EXPECT(cond, ...)           \
    do {                            \
        if (!(cond))                \
            test_fail(__VA_ARGS__); \
    } while (0)

/* Test groups, one per file. */
void run_json_out_tests(void);
void run_redact_tests(void);
void run_event_clock_tests(void);
void run_event_file_tests(void);
void run_event_writer_tests(void);
void run_http_request_tests(void);
void run_preload_tests(const char *build_dir);

/* Helpers shared by the groups (test_support.c). */
char *make_temp_dir(void); /* fresh dir under /tmp; free() it */
void remove_tree(const char *dir);
char *read_file(const char *path, size_t *len); /* NUL-terminated; free() it */
/* Lines of text, split in place; returns how many (at most max). */
int split_lines(char *text, char **lines, int max);
/* The integer after "key": in a one-line JSON record. */
bool json_int_field(const char *line, const char *key, long long *value);

#endif
