#include "event_clock.h"

uint64_t event_clock_monotonic_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Calendar arithmetic by hand rather than gmtime_r: glibc's gmtime_r takes the
 * tzset lock, which another thread may have held at fork time, and a forked
 * child writes its process_start before it may touch such locks.
 * Days to civil date after H. Hinnant's public-domain algorithm. */
void event_clock_format_wall(const struct timespec *ts, char out[EVENT_WALL_LEN + 1])
{
    int64_t secs = (int64_t)ts->tv_sec;
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);

    if (year < 0 || year > 9999) /* RFC 3339 has four-digit years only */
        year = year < 0 ? 0 : 9999;
    put_digits(out, (unsigned)year, 4);
    out[4] = '-';
    put_digits(out + 5, (unsigned)month, 2);
    out[7] = '-';
    put_digits(out + 8, (unsigned)day, 2);
    out[10] = 'T';
    put_digits(out + 11, (unsigned)(rem / 3600), 2);
    out[13] = ':';
    put_digits(out + 14, (unsigned)(rem / 60 % 60), 2);
    out[16] = ':';
    put_digits(out + 17, (unsigned)(rem % 60), 2);
    out[19] = '.';
    put_digits(out + 20, (unsigned)(ts->tv_nsec / 1000000), 3);
    out[23] = 'Z';
    out[24] = '\0';
}
