#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event_clock.h"
#include "test_harness.h"

static void expect_wall(const char *name, time_t secs, long nsec, const char *expected)
{
    struct timespec ts = { .tv_sec = secs, .tv_nsec = nsec };
    char out[EVENT_WALL_LEN + 1];
    event_clock_format_wall(&ts, out);
    test_begin(name);
    EXPECT(strcmp(out, expected) == 0, "got %s, want %s", out, expected);
    test_end();
}

void run_event_clock_tests(void)
{
    expect_wall("event_clock: epoch", 0, 0, "1970-01-01T00:00:00.000Z");
    expect_wall("event_clock: milliseconds are cut, not rounded", 1795890024, 123999999, "2026-11-28T18:20:24.123Z");
    expect_wall("event_clock: leap day", 1709210096, 5000000, "2024-02-29T12:34:56.005Z");

    test_begin("event_clock: agrees with gmtime_r across 400 years");
    for (long long s = -86400LL * 365 * 10; s < 86400LL * 365 * 400; s += 86400LL * 37 + 3671) {
        struct tm tm;
        time_t t = (time_t)s;
        gmtime_r(&t, &tm);
        char want[64], got[EVENT_WALL_LEN + 1];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        struct timespec ts = { .tv_sec = t };
        event_clock_format_wall(&ts, got);
        if (strcmp(got, want) != 0) {
            test_fail("%lld: got %s, want %s", s, got, want);
            break;
        }
    }
    test_end();

    test_begin("event_clock: monotonic ns matches clock_gettime");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t t = event_clock_monotonic_ns();
    clock_gettime(CLOCK_MONOTONIC, &b);
    uint64_t lo = (uint64_t)a.tv_sec * 1000000000u + (uint64_t)a.tv_nsec;
    uint64_t hi = (uint64_t)b.tv_sec * 1000000000u + (uint64_t)b.tv_nsec;
    EXPECT(lo <= t && t <= hi, "%llu not within [%llu, %llu]", (unsigned long long)t, (unsigned long long)lo,
           (unsigned long long)hi);
    test_end();
}
