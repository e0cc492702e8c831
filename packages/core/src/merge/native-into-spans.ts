// The one place where native events join language spans (docs/architecture.md, Merging).
//
// A language plugin records a monitored call as a span [t0, t1] on (pid, tid) with its stack.
//   exact:    a native event on the same (pid, tid) whose time lies inside [t0, t1] belongs to
//             the innermost such span (the one that started last);
//   inferred: asynchronous work (the libuv pool, JVM executor threads) runs on another thread,
//             so a native event of the same pid on another thread joins a span whose argument
//             (path, peer, fd) it shares and whose window contains it: [t0, t1] for a span
//             that blocked, [t0, t1 + ASYNC_WINDOW_NS] for one that continues after t1.
// The merged stack is the native frames (the call and its calling library), then a frame for
// the language API whose span it joined, then the span's language frames: innermost first.
import type { Frame, Scalar, Source } from '../schema/events.generated.js';
import type { JoinRule, MergedStack, ModelFrame } from '../model/app-model.js';

/** How long after t1 an asynchronous span's work may still run on another thread. */
export const ASYNC_WINDOW_NS = 2_000_000_000;

export interface LanguageSpan {
  pid: number;
  tid: number;
  t0: number;
  t1: number;
  async: boolean;
  api: string;
  source: Source;
  frames: readonly Frame[];
  truncated: boolean;
  /** argument values a native event can be matched on: [name, value] (path, peer, fd, ...) */
  matches: ArgMatch[];
  /** the span's own index in the model's kept calls, when kept */
  callIndex?: number;
}

export type ArgMatch = readonly [name: string, value: string];

export interface NativeEvent {
  pid: number;
  tid?: number | undefined;
  t: number;
  api: string;
  caller?: string | undefined;
  /** the native stack of the event, when the shim recorded one */
  frames?: readonly Frame[] | undefined;
  truncated?: boolean | undefined;
  args?: Record<string, Scalar | undefined> | undefined;
  /** api_usage subject: a path, host:port or program */
  subject?: string | undefined;
}

export interface NativeJoin {
  span?: LanguageSpan;
  rule: JoinRule;
  matchedOn?: string;
}

// Argument names a native call and a language span can share (docs/events.md, Argument names).
const MATCHED_ARGS = ['path', 'peer', 'fd', 'program', 'host', 'library'];

function argValue(args: Record<string, Scalar | undefined> | undefined, name: string): string | undefined {
  const value = args?.[name];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** What a span's arguments offer for an inferred join. */
export function matchesOf(args: Record<string, Scalar | undefined> | undefined): ArgMatch[] {
  const matches: ArgMatch[] = [];
  if (!args) return matches;
  for (const name of MATCHED_ARGS) {
    const value = argValue(args, name);
    if (value !== undefined) matches.push([name, value]);
  }
  return matches;
}

/** The argument name an api_usage subject stands for. */
function subjectArg(subject: string): string | undefined {
  if (subject.startsWith('/')) return 'path';
  if (/:\d+$/.test(subject)) return 'peer';
  return undefined;
}

interface ThreadSpans {
  spans: LanguageSpan[];
  sorted: boolean;
}

function push(list: ThreadSpans, span: LanguageSpan): void {
  const spans = list.spans;
  if (spans.length > 0 && spans[spans.length - 1]!.t0 > span.t0) list.sorted = false;
  spans.push(span);
}

/**
 * Language spans of the pids being read, indexed for both join rules. Keys are nested maps of
 * numbers and of strings the records already hold: a lookup per native event builds no string.
 */
export class SpanIndex {
  /** pid -> tid -> spans */
  private readonly byThread = new Map<number, Map<number, ThreadSpans>>();
  /** pid -> argument name -> value -> spans */
  private readonly byArg = new Map<number, Map<string, Map<string, ThreadSpans>>>();
  private spanCount = 0;

  add(span: LanguageSpan): void {
    this.spanCount++;
    let threads = this.byThread.get(span.pid);
    if (!threads) {
      threads = new Map();
      this.byThread.set(span.pid, threads);
    }
    let thread = threads.get(span.tid);
    if (!thread) {
      thread = { spans: [], sorted: true };
      threads.set(span.tid, thread);
    }
    push(thread, span);
    if (span.matches.length === 0) return;
    let names = this.byArg.get(span.pid);
    if (!names) {
      names = new Map();
      this.byArg.set(span.pid, names);
    }
    for (const [name, value] of span.matches) {
      let values = names.get(name);
      if (!values) {
        values = new Map();
        names.set(name, values);
      }
      const list = values.get(value);
      if (list) push(list, span);
      else values.set(value, { spans: [span], sorted: true });
    }
  }

  /** Forgets every span: the reader moved on to other pids, no later event can join them. */
  clear(): void {
    if (this.spanCount === 0) return;
    this.byThread.clear();
    this.byArg.clear();
    this.spanCount = 0;
  }

  get size(): number {
    return this.spanCount;
  }

  /** The span a native event belongs to, and by which rule. */
  join(event: NativeEvent): NativeJoin {
    if (event.tid !== undefined) {
      const thread = this.byThread.get(event.pid)?.get(event.tid);
      const span = thread && enclosingSpan(thread, event.t);
      if (span) return { span, rule: 'exact' };
    }
    const names = this.byArg.get(event.pid);
    if (!names) return NO_JOIN;
    let best: LanguageSpan | undefined;
    let bestName = '';
    if (event.args) {
      for (const name of MATCHED_ARGS) {
        const span = latestOpenSpanFor(names, name, argValue(event.args, name), event);
        if (span && (!best || span.t0 > best.t0)) {
          best = span;
          bestName = name;
        }
      }
    }
    if (event.subject !== undefined) {
      const name = subjectArg(event.subject);
      const span = name && latestOpenSpanFor(names, name, event.subject, event);
      if (name && span && (!best || span.t0 > best.t0)) {
        best = span;
        bestName = name;
      }
    }
    return best ? { span: best, rule: 'inferred', matchedOn: bestName } : NO_JOIN;
  }
}

const NO_JOIN: NativeJoin = { rule: 'none' };

/** The latest span open at the event's time among those sharing one argument value with it. */
function latestOpenSpanFor(
  names: Map<string, Map<string, ThreadSpans>>,
  name: string,
  value: string | undefined,
  event: NativeEvent,
): LanguageSpan | undefined {
  if (value === undefined) return undefined;
  const list = names.get(name)?.get(value);
  return list && latestOpenSpan(list, event.t, event.tid);
}

/** The innermost span of one thread open at t: walking back from the last one started by t. */
function enclosingSpan(thread: ThreadSpans, t: number): LanguageSpan | undefined {
  const spans = sortedSpans(thread);
  for (let i = lastStartedBy(spans, t); i >= 0; i--) {
    if (spans[i]!.t1 >= t) return spans[i];
  }
  return undefined;
}
/** Candidates looked at, walking back in time, before an inferred join gives up. */
const MAX_INFERRED_CANDIDATES = 64;

function sortedSpans(list: ThreadSpans): LanguageSpan[] {
  if (!list.sorted) {
    list.spans.sort((a, b) => a.t0 - b.t0 || b.t1 - a.t1);
    list.sorted = true;
  }
  return list.spans;
}

/** Index of the last span with t0 <= t, or -1. */
function lastStartedBy(spans: readonly LanguageSpan[], t: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.t0 <= t) {
      at = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return at;
}

/** The latest-starting span of another thread whose window contains t. */
function latestOpenSpan(list: ThreadSpans, t: number, tid: number | undefined): LanguageSpan | undefined {
  const spans = sortedSpans(list);
  const from = lastStartedBy(spans, t);
  for (let i = from; i >= 0 && from - i < MAX_INFERRED_CANDIDATES; i--) {
    const span = spans[i]!;
    if (span.tid === tid) continue;
    const end = span.async ? span.t1 + ASYNC_WINDOW_NS : span.t1;
    if (t <= end) return span;
  }
  return undefined;
}

const apiName = (api: string): string => api.slice(api.indexOf(':') + 1);

/**
 * The frames of a native event alone: the call, then its recorded stack (the shim's calling
 * site, named by symbols/ when it could be), else its calling library.
 */
export function nativeFrames(event: NativeEvent): ModelFrame[] {
  const frames: ModelFrame[] = [{ lang: 'native', fn: apiName(event.api) }];
  if (event.frames && event.frames.length > 0) for (const f of event.frames) frames.push({ ...f });
  else if (event.caller) frames.push({ lang: 'native', fn: '?', unit: event.caller });
  return frames;
}

/** The merged stack of a native event under the span it joined (or alone, join none). */
export function mergeNativeIntoSpan(event: NativeEvent, join: NativeJoin): MergedStack {
  const frames = nativeFrames(event);
  const span = join.span;
  if (!span) return { frames, join: 'none', ...(event.truncated ? { truncated: true } : {}) };
  frames.push({ lang: span.source === 'jvm' ? 'java' : 'js', fn: apiName(span.api) });
  for (const f of span.frames) frames.push({ ...f });
  return {
    frames,
    join: join.rule,
    ...(join.matchedOn ? { matchedOn: join.matchedOn } : {}),
    spanApi: span.api,
    ...(span.truncated || event.truncated ? { truncated: true } : {}),
  };
}

/** A language span's own stack: the API it called on top of its frames. */
export function spanStack(span: Pick<LanguageSpan, 'api' | 'source' | 'frames' | 'truncated'>): MergedStack {
  const frames: ModelFrame[] = [{ lang: span.source === 'jvm' ? 'java' : span.source === 'node' ? 'js' : 'native', fn: apiName(span.api) }];
  for (const f of span.frames) frames.push({ ...f });
  return { frames, join: 'none', ...(span.truncated ? { truncated: true } : {}) };
}
