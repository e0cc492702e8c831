// Event file names: `<pid>-<source>-<seq>.jsonl` (docs/events.md, Event files).
import type { Source } from '../schema/events.generated.js';

export interface EventFileName {
  pid: number;
  source: Source;
  seq: number;
}

const EVENT_FILE = /^(\d+)-(native|node|jvm)-(\d+)\.jsonl$/;

export function parseEventFileName(name: string): EventFileName | undefined {
  const m = EVENT_FILE.exec(name);
  if (!m) return undefined;
  return { pid: Number(m[1]), source: m[2] as Source, seq: Number(m[3]) };
}

export function isEventFileName(name: string): boolean {
  return EVENT_FILE.test(name);
}
