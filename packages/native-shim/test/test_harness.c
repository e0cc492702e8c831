#include "test_harness.h"

#include <stdarg.h>
#include <stdio.h>

static const char *current;
static char why[512];
static bool failed;
static int passed_count, failed_count;

void test_begin(const char *name)
{
    current = name;
    failed = false;
    why[0] = '\0';
}

void test_fail(const char *fmt, ...)
{
    if (failed)
        return;
    failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
}

void test_end(void)
{
    if (failed) {
        failed_count++;
        printf("not ok - %s: %s\n", current, why);
    } else {
        passed_count++;
        printf("ok - %s\n", current);
    }
    fflush(stdout);
}

int test_summary(void)
{
    printf("%d passed, %d failed\n", passed_count, failed_count);
    fflush(stdout);
    return failed_count == 0 ? 0 : 1;
}
