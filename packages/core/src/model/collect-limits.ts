// How much of a run the analysis keeps, whatever the run holds. The observed processes write the
// event files, so the distinct keys in them (paths, subjects, stacks, routes, messages) are
// theirs to choose, and so is the length of every string (up to a line). Every aggregate that
// grows with distinct keys therefore has an allowance: a number of entries and a number of
// characters of the text they hold, both far above what real applications produce. What does
// not fit is counted, not kept, and said once per kind (notKeptProblems). An allowance is
// consulted only when a new key would be kept, never for a record of a known one.
import type { RunProblem } from '../reader/run-reader.js';

export interface Limit {
  entries: number;
  /** characters of the strings the entries hold (a frame counts FRAME_TEXT besides its strings) */
  text: number;
}

export interface CollectLimits {
  /** distinct code_unit paths */
  codeUnits: Limit;
  /** distinct (caller, api, subject) of api_usage and call records; their flags and stack signatures are their text too */
  apiUsages: Limit;
  /** function_inventory: distinct units, and distinct functions of them */
  functions: Limit;
  /** distinct web_api (direction, method, host, route, status) */
  webApis: Limit;
  /** distinct notices (source, level, code, subject) */
  notices: Limit;
  /** own_activity paths (every file path of a run is compared with each: keep them few) */
  ownPaths: Limit;
  /** own_activity threads */
  ownThreads: Limit;
  /** distinct code units named by stack frames */
  frameUnits: Limit;
  /** stack records kept per process (the files of one pid), frames included */
  stacksPerProcess: Limit;
  /** language spans kept per process for native events to join */
  spansPerProcess: Limit;
  /** distinct merged stacks of a run (shared by the usages and calls that have the same one) */
  mergedStacks: Limit;
  /** the individual calls kept (their number is also bounded by maxCalls) */
  keptCalls: Limit;
  /** components made of everything above */
  components: Limit;
}

const Mi = 1024 * 1024;

/**
 * The allowances of every analysis: each far above what a large real application produces, all
 * of them together what bounds the memory of an analysis (docs/performance-history.md, Memory bounds).
 */
export const COLLECT_LIMITS: CollectLimits = {
  codeUnits: { entries: 200_000, text: 64 * Mi },
  apiUsages: { entries: 1_000_000, text: 256 * Mi },
  functions: { entries: 2_000_000, text: 256 * Mi },
  webApis: { entries: 100_000, text: 32 * Mi },
  notices: { entries: 10_000, text: 8 * Mi },
  ownPaths: { entries: 1_000, text: 1 * Mi },
  ownThreads: { entries: 100_000, text: 4 * Mi },
  frameUnits: { entries: 100_000, text: 16 * Mi },
  stacksPerProcess: { entries: 100_000, text: 64 * Mi },
  spansPerProcess: { entries: 200_000, text: 32 * Mi },
  mergedStacks: { entries: 200_000, text: 128 * Mi },
  keptCalls: { entries: Infinity, text: 64 * Mi },
  components: { entries: 50_000, text: Infinity },
};

export type LimitKind = keyof CollectLimits;

/** What an allowance refused, as plain data (a worker thread posts it back). */
export interface NotKept {
  /** records (functions, for an inventory) not kept */
  refused: number;
  /** the limit reached first */
  reached: 'entries' | 'text';
}

/** One kind's allowance: entries and text kept so far, and what was refused. */
export class Allowance {
  private entries = 0;
  private text = 0;
  refused = 0;
  reached: NotKept['reached'] | undefined;

  constructor(readonly limit: Limit) {}

  /** Whether a new entry holding `text` characters may be kept; a refusal is counted. */
  admit(text: number): boolean {
    if (this.entries < this.limit.entries && this.text + text <= this.limit.text) {
      this.entries++;
      this.text += text;
      return true;
    }
    this.refuse(this.entries >= this.limit.entries ? 'entries' : 'text');
    return false;
  }

  /** Whether an entry already kept may hold `text` more characters; a refusal is counted. */
  grow(text: number): boolean {
    if (this.text + text <= this.limit.text) {
      this.text += text;
      return true;
    }
    this.refuse('text');
    return false;
  }

  refuse(reached: NotKept['reached'], count = 1): void {
    this.refused += count;
    this.reached ??= reached;
  }

  /** Starts over (a per-process allowance, for the next process); what was refused stays counted. */
  reset(): void {
    this.entries = 0;
    this.text = 0;
  }

  notKept(): NotKept | undefined {
    return this.reached === undefined ? undefined : { refused: this.refused, reached: this.reached };
  }
}

/** The characters a frame list holds, counting each frame as FRAME_TEXT more. */
export function framesText(frames: readonly { fn: string; file?: string; unit?: string; addr?: string }[]): number {
  let n = 0;
  for (const f of frames) n += FRAME_TEXT + f.fn.length + (f.file?.length ?? 0) + (f.unit?.length ?? 0) + (f.addr?.length ?? 0);
  return n;
}

/** A frame's own cost besides its strings, in characters: what keeps a million empty frames from being free. */
export const FRAME_TEXT = 32;

/** The characters of a small JSON value (call args and results: scalars, nesting bounded by the reader). */
export function valueText(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  let n = 0;
  for (const [k, v] of Object.entries(value)) n += k.length + valueText(v);
  return n;
}

const count = (n: number): string => n.toLocaleString('en-US');
const chars = (n: number): string => (n % Mi === 0 ? `${n / Mi} Mi characters` : `${count(n)} characters`);

/** What each kind is, and what happened to what did not fit. */
const WORDING: Record<LimitKind, { what: string; rest: string }> = {
  codeUnits: { what: 'distinct code units', rest: 'the records of the rest were counted but not kept' },
  apiUsages: { what: 'distinct API usages', rest: 'the records of the rest were counted but not kept' },
  functions: { what: 'inventoried functions', rest: 'the rest were counted but not kept' },
  webApis: { what: 'distinct web APIs', rest: 'the records of the rest were counted but not kept' },
  notices: { what: 'distinct notices', rest: 'the records of the rest were counted but not kept' },
  ownPaths: { what: 'own-activity paths', rest: "activity under the rest counts as the application's" },
  ownThreads: { what: 'own-activity threads', rest: "what the rest do counts as the application's" },
  frameUnits: { what: 'distinct code units in stack frames', rest: 'the rest were not marked used' },
  stacksPerProcess: { what: 'stack records in one process', rest: 'the rest were not kept, and what refers to them has no stack' },
  spansPerProcess: { what: 'language calls in one process kept for native events to join', rest: 'native events under the rest join nothing' },
  mergedStacks: { what: 'distinct merged stacks', rest: 'the records that needed more were kept without a stack' },
  keptCalls: { what: 'individual calls', rest: 'the rest were counted but not kept individually' },
  components: { what: 'components', rest: 'code of the rest is not identified' },
};

/** One warning per kind that did not fit, for the run's problems. */
export function notKeptProblems(notKept: Partial<Record<LimitKind, NotKept>>, limits: CollectLimits, where: string): RunProblem[] {
  const problems: RunProblem[] = [];
  for (const kind of Object.keys(WORDING) as LimitKind[]) {
    const n = notKept[kind];
    if (!n) continue;
    const { what, rest } = WORDING[kind];
    const limit = limits[kind];
    const over = n.reached === 'entries' ? `more than ${count(limit.entries)} ${what}` : `${what} holding more than ${chars(limit.text)} of text`;
    problems.push({ severity: 'warn', where, message: `${over}: ${rest} (${count(n.refused)} not kept)` });
  }
  return problems;
}
