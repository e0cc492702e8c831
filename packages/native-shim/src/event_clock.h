/* The two clocks of the event contract: CLOCK_MONOTONIC nanoseconds for every
 * "t", and the wall clock of process_start for display. */
#ifndef APITRACE_EVENT_CLOCK_H
#define APITRACE_EVENT_CLOCK_H

#include <stdint.h>
#include <time.h>

#define EVENT_WALL_LEN 24 /* "2026-11-28T18:20:24.123Z" */

uint64_t event_clock_monotonic_ns(void);

/* Formats ts as RFC 3339 UTC with milliseconds into out (EVENT_WALL_LEN + 1
 * bytes, NUL-terminated). */
void event_clock_format_wall(const struct timespec *ts, char out[EVENT_WALL_LEN + 1]);

#endif
