// The OS thread id of the calling thread, for `tid` in calls and spans (docs/events.md, Clocks
// and threads). Node does not expose gettid(); /proc/thread-self links to "<pid>/task/<tid>".
// Each worker thread has its own copy of this module, so one cached value per thread is right.
import { readlinkSync } from 'node:fs';

let cached: number | undefined | null = null;

export function osThreadId(): number | undefined {
  if (cached !== null) return cached;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    cached = Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    cached = undefined;
  }
  return cached;
}
