// The recorder of this process or worker thread: the one EventWriter, process_start and
// process_end, periodic flushing on an unref'd timer, the stack table and the aggregation
// tables. Everything that records goes through here (see index.ts for the API contract).
import { isMainThread } from 'node:worker_threads';
import { EventWriter, type EventRecord } from '../event-writer.js';
import { commandLine, executablePath } from '../process-facts.js';
import { redactArgv } from '../redact.js';
import { CALLER_FRAMES, callerSite, callerUnit, captureCallSites, framesOf, isOwnOrLoaderCall, MAX_STACK_FRAMES, StackTable } from './js-stack.js';
import { codeUnitOf } from './owning-package.js';
import { osThreadId } from './thread-id.js';
import { APITRACE_VERSION } from '../version.generated.js';
import { BUILTIN_ATTRIBUTE_ALL_CALLS, BUILTIN_ATTRIBUTE_ONE_IN } from './attribution-sampling.js';
import { ApiUsageTable, WebApiTable, type ApiCount, type Category, type WebCount } from './usage-tables.js';

export const PLUGIN_VERSION = APITRACE_VERSION;
export const FLUSH_INTERVAL_MS = 1000;
/** `call` spans written per (API, caller); later calls are counted in api_usage. */
export const SPANS_PER_CALLER = 16;

/**
 * Re-entrancy guard of this thread. While depth > 0 we are inside a recorded call or inside our
 * own work (flushing, reading a package.json): patched APIs then pass straight through, so the
 * plugin never records itself and a nested built-in call (fs.readFileSync -> fs.openSync) is
 * part of its outer span, not a span of its own.
 */
export const guard = { depth: 0 };

/** Runs our own work with every patched API passing through; never throws. */
export function ownWork<T>(work: () => T, fallback: T): T {
  guard.depth++;
  try {
    return work();
  } catch {
    return fallback;
  } finally {
    guard.depth--;
  }
}

function enclosingLine(site: NodeJS.CallSite): number | null {
  const s = site as NodeJS.CallSite & { getEnclosingLineNumber?: () => number | null };
  return typeof s.getEnclosingLineNumber === 'function' ? s.getEnclosingLineNumber() : null;
}

export const nowNs = (): number => Number(process.hrtime.bigint());

/** Per-API state deciding, per call, between a span, an attributed count and a sampled count. */
export class ApiGate {
  calls = 0;
  unattributed = 0;
  last: ApiCount | undefined;
  readonly spans = new Map<string, number>();
  readonly firstStack = new Map<string, number>();
  /** frames under this directory are not the caller (a driver calling itself) */
  skipUnder: string | undefined;
  constructor(
    readonly api: string,
    readonly category: Category,
  ) {}

  /**
   * Counts one call and says whether it is sampled out (then it is only counted, for the last
   * caller seen). The hot path of a high-frequency API is this method and nothing else.
   */
  sampledOut(): boolean {
    this.calls++;
    if (this.calls > BUILTIN_ATTRIBUTE_ALL_CALLS && this.calls % BUILTIN_ATTRIBUTE_ONE_IN !== 0) {
      this.unattributed++;
      return true;
    }
    return false;
  }
}

/** What a call that will be recorded as a span needs: caller unit and stack id. */
export interface SpanStart {
  caller: string | undefined;
  stack: number | undefined;
  /** flags found by the inspector passed to beginCall */
  flags?: readonly string[] | undefined;
  /** file and line of the calling frame */
  callerFile?: string | undefined;
  callerLine?: number | undefined;
}

/**
 * Looks at the call sites of a call being attributed and returns flags they show, or null when
 * the call is not to be recorded at all (a driver calling itself on behalf of a recorded call).
 */
export type SiteInspector = (sites: readonly NodeJS.CallSite[], caller: CallerPosition | undefined) => readonly string[] | undefined | null;

/** Where the calling frame is: its file, the line of the call, the line its function starts on. */
export interface CallerPosition {
  file: string;
  line: number | null;
  fnLine: number | null;
}

export interface CallRecord {
  api: string;
  category: Category;
  t0: number;
  t1: number;
  caller?: string | undefined;
  stack?: number | undefined;
  args?: Record<string, string | number | boolean | null> | undefined;
  result?: { ret?: string | number | boolean | null; errno?: number; error?: string } | undefined;
  async?: boolean | undefined;
  flags?: readonly string[] | undefined;
}

export type Origin = 'start' | 'thread';

let active: Recorder | undefined;

/** The recorder of this thread, or undefined when recording is off. */
export function activeRecorder(): Recorder | undefined {
  return active;
}

export class Recorder {
  readonly tid = osThreadId();
  private readonly stacks: StackTable;
  private readonly apiUsage = new ApiUsageTable();
  private readonly webApi = new WebApiTable();
  private readonly flushHooks: (() => void)[] = [];
  private readonly exitHooks: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private faults = 0;
  /** the unit of the program's entry script: caller of calls made only from Node's own code */
  readonly appUnit: string;

  private constructor(private readonly writer: EventWriter) {
    this.stacks = new StackTable((r) => this.writer.write(r));
    const main = process.argv[1];
    this.appUnit = main ? codeUnitOf(main) : process.cwd();
  }

  /**
   * Creates this thread's event file and writes process_start (origin "start" on the main
   * thread, "thread" in a worker). Returns undefined, after one stderr line, when the
   * directory cannot be written; never throws.
   */
  static start(dir: string): Recorder | undefined {
    if (active) return active;
    const origin: Origin = isMainThread ? 'start' : 'thread';
    let writer: EventWriter;
    try {
      writer = EventWriter.create(dir, process.pid);
    } catch (err) {
      // one line per process: a worker's failure repeats what its main thread already said
      if (isMainThread) warnCannotWrite(dir, err);
      return undefined;
    }
    return ownWork(() => {
      const r = new Recorder(writer);
      r.writeStart(origin);
      r.timer = setInterval(() => r.flush(), FLUSH_INTERVAL_MS);
      r.timer.unref();
      process.on('exit', (code) => r.end(code));
      active = r;
      return r;
    }, undefined);
  }

  private writeStart(origin: Origin): void {
    this.writer.write({
      kind: 'process_start',
      v: 1,
      source: 'node',
      pid: process.pid,
      ppid: process.ppid,
      ...(this.tid === undefined ? {} : { tid: this.tid }),
      seq: this.writer.seq,
      origin,
      t: nowNs(),
      wall: new Date().toISOString(),
      exe: executablePath(),
      argv: redactArgv(commandLine()),
      cwd: process.cwd(),
      runtime: { name: 'node', version: process.versions.node },
      emitter: { name: '@apitrace/node-plugin', version: PLUGIN_VERSION },
    });
    this.writer.flush();
  }

  /** Writes one record as is (code_unit, function_inventory, notice, ...). */
  write(record: EventRecord): void {
    if (this.ended) return;
    ownWork(() => this.writer.write(record), undefined);
  }

  /** Captures the stack above `skip` and returns its stack id (writing the stack record once). */
  stackHere(skip: Function): SpanStart {
    return ownWork(
      () => {
        const sites = captureCallSites(skip);
        const { frames, truncated } = framesOf(sites);
        return { caller: callerUnit(sites), stack: this.stacks.idOf(frames, truncated) };
      },
      { caller: undefined, stack: undefined },
    );
  }

  /**
   * Decides for one call of `gate`'s API: returns where it came from when it is to be recorded
   * as a span (then write it with writeCall), or undefined when it has been counted in api_usage
   * instead. `skip` is the wrapper the application called, so the stack starts at its caller.
   */
  beginCall(gate: ApiGate, skip: Function, subject?: string, flags?: readonly string[], inspect?: SiteInspector): SpanStart | undefined {
    return gate.sampledOut() ? undefined : this.attributeCall(gate, skip, subject, flags, inspect);
  }

  /** beginCall for a caller that has already called gate.sampledOut() and got false. */
  attributeCall(gate: ApiGate, skip: Function, subject?: string, flags?: readonly string[], inspect?: SiteInspector): SpanStart | undefined {
    return ownWork(() => {
      // A short capture finds the caller; only a call that becomes a span pays for the full stack.
      let sites = captureCallSites(skip, CALLER_FRAMES);
      let site = callerSite(sites, gate.skipUnder);
      if (site === undefined && sites.length >= CALLER_FRAMES) {
        sites = captureCallSites(skip);
        site = callerSite(sites, gate.skipUnder);
      }
      if (isOwnOrLoaderCall(sites, gate.category !== 'file')) {
        gate.calls--;
        return undefined;
      }
      const caller = site === undefined ? undefined : codeUnitOf(site.file);
      const callerKey = caller ?? this.appUnit;
      const spans = gate.spans.get(callerKey) ?? 0;
      const span = spans < SPANS_PER_CALLER;
      if (span && sites.length >= CALLER_FRAMES && sites.length < MAX_STACK_FRAMES) {
        sites = captureCallSites(skip);
        site = callerSite(sites, gate.skipUnder);
      }
      const callerLine = site?.site.getLineNumber() ?? null;
      const found =
        inspect === undefined
          ? undefined
          : inspect(sites, site === undefined ? undefined : { file: site.file, line: callerLine, fnLine: enclosingLine(site.site) });
      if (found === null) {
        gate.calls--;
        return undefined;
      }
      const allFlags = found && found.length > 0 ? [...(flags ?? []), ...found] : flags;
      if (span) {
        gate.spans.set(callerKey, spans + 1);
        const { frames, truncated } = framesOf(sites);
        const stack = this.stacks.idOf(frames, truncated);
        if (stack !== undefined && !gate.firstStack.has(callerKey)) gate.firstStack.set(callerKey, stack);
        this.foldUnattributed(gate);
        return { caller, stack, flags: found, callerFile: site?.file, callerLine: callerLine ?? undefined };
      }
      const count: ApiCount = {
        api: gate.api,
        category: gate.category,
        caller: callerKey,
        subject,
        count: 1 + gate.unattributed,
        t: nowNs(),
        tid: this.tid,
        stack: gate.firstStack.get(callerKey),
        flags: allFlags,
      };
      gate.unattributed = 0;
      gate.last = count;
      this.apiUsage.add(count);
      return undefined;
    }, undefined);
  }

  /** Sampled-out calls count for the last attributed caller of the API (documented bound). */
  private foldUnattributed(gate: ApiGate): void {
    if (gate.unattributed === 0) return;
    const last = gate.last ?? {
      api: gate.api,
      category: gate.category,
      caller: this.appUnit,
      count: 0,
      t: nowNs(),
      tid: this.tid,
    };
    this.apiUsage.add({ ...last, count: gate.unattributed, t: nowNs() });
    gate.unattributed = 0;
  }

  /** Writes one span. */
  writeCall(c: CallRecord): void {
    if (this.ended || this.tid === undefined) return;
    ownWork(() => {
      const record: EventRecord = { kind: 'call', api: c.api, category: c.category, tid: this.tid, t0: c.t0, t1: c.t1 };
      if (c.caller !== undefined) record['caller'] = c.caller;
      if (c.stack !== undefined) record['stack'] = c.stack;
      if (c.args !== undefined && Object.keys(c.args).length > 0) record['args'] = c.args;
      if (c.result !== undefined && Object.keys(c.result).length > 0) record['result'] = c.result;
      if (c.async) record['async'] = true;
      if (c.flags !== undefined && c.flags.length > 0) record['flags'] = [...new Set(c.flags)].sort();
      this.writer.write(record);
    }, undefined);
  }

  /** Adds to api_usage directly (package-level API use, counted without spans). */
  countApi(c: ApiCount): void {
    guard.depth++;
    try {
      this.apiUsage.add(c);
    } catch {
      this.faults++;
    } finally {
      guard.depth--;
    }
  }

  /** Adds one request to the web API inventory. */
  countWeb(c: WebCount): void {
    guard.depth++;
    try {
      this.webApi.add(c);
    } catch {
      this.faults++;
    } finally {
      guard.depth--;
    }
  }

  /** `hook` runs before every flush (and the last one at exit) to add its records. */
  onFlush(hook: () => void): void {
    this.flushHooks.push(hook);
  }

  /** `hook` runs once when the thread or process ends, before the final flush. */
  onExit(hook: () => void): void {
    this.exitHooks.push(hook);
  }

  /** Reports a fault of our own (a hook that threw): counted, reported at the next flush. */
  fault(): void {
    this.faults++;
  }

  flush(): void {
    if (this.ended) return;
    ownWork(() => {
      for (const hook of this.flushHooks) {
        try {
          hook();
        } catch {
          this.faults++;
        }
      }
      for (const gate of this.gatesWithPending) this.foldUnattributed(gate);
      for (const r of this.apiUsage.drain()) this.writer.write(r);
      for (const r of this.webApi.drain()) this.writer.write(r);
      const dropped = this.apiUsage.dropped + this.webApi.dropped;
      if (dropped > 0) {
        this.writer.write({
          kind: 'notice',
          level: 'warn',
          code: 'aggregation_full',
          message: 'too many distinct keys in one flush interval; counts dropped',
          count: dropped,
          t: nowNs(),
        });
        this.apiUsage.dropped = 0;
        this.webApi.dropped = 0;
      }
      if (this.faults > 0) {
        this.writer.write({
          kind: 'notice',
          level: 'error',
          code: 'plugin_fault',
          message: 'a recorder of the Node plugin failed; the call went on unrecorded',
          count: this.faults,
          t: nowNs(),
        });
        this.faults = 0;
      }
      this.writer.flush();
    }, undefined);
  }

  private readonly gatesWithPending = new Set<ApiGate>();

  /** Creates the gate of one API; gates live as long as the recorder. */
  gate(api: string, category: Category): ApiGate {
    const g = new ApiGate(api, category);
    this.gatesWithPending.add(g);
    return g;
  }

  private end(code: number): void {
    if (this.ended) return;
    ownWork(() => {
      for (const hook of this.exitHooks) {
        try {
          hook();
        } catch {
          this.faults++;
        }
      }
      this.flush();
      if (this.timer) clearInterval(this.timer);
      this.writer.write({
        kind: 'process_end',
        t: nowNs(),
        reason: 'exit',
        exit_code: typeof code === 'number' ? code : 0,
        records: this.writer.records + 1,
        dropped: this.writer.dropped,
      });
      this.ended = true;
      this.writer.close();
    }, undefined);
  }
}

function warnCannotWrite(dir: string, err: unknown): void {
  const why = err instanceof Error ? err.message : String(err);
  try {
    process.stderr.write(`apitrace: node: cannot write events to ${dir}: ${why} (recording off for this process)\n`);
  } catch {
    // stderr closed: stay silent
  }
}
