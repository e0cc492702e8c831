// Counting calls of wrapped package exports as api_usage (category "package"), attributed to
// the calling package. The hot path is one counter increment: a call's caller is found from a
// stack capture (5-15 µs) only for the first EXPORT_ATTRIBUTE_ALL_CALLS calls of an export and one in
// EXPORT_ATTRIBUTE_ONE_IN after that; calls in between count for the caller found next (or, at a
// flush, for the last caller seen). Totals per export stay exact. While the sampled caller stays
// the same, the interval doubles up to one in EXPORT_ATTRIBUTE_ONE_IN_AT_MOST (a function of a few ns
// called in a loop would otherwise spend more in captures than in itself); a different caller
// brings it back to EXPORT_ATTRIBUTE_ONE_IN.
import {
  activeRecorder,
  captureCallSites,
  callerUnit,
  EXPORT_ATTRIBUTE_ALL_CALLS,
  EXPORT_ATTRIBUTE_ONE_IN,
  EXPORT_ATTRIBUTE_ONE_IN_AT_MOST,
  guard,
  nowNs,
  type Recorder,
} from '../runtime/index.js';
import { CALLER_FRAMES } from '../runtime/js-stack.js';

/**
 * One wrapped export: its API id and counters. A wrapper's hot path is `++calls` and a test of
 * `calls & mask`: a call whose count has the mask's bits clear is attributed, every one while the
 * mask is 0 (the first EXPORT_ATTRIBUTE_ALL_CALLS), one in EXPORT_ATTRIBUTE_ONE_IN or more after that. The calls
 * in between are pending: counted, not yet recorded (calls - settled).
 */
export class ExportGate {
  calls = 0;
  /** Calls recorded, or dropped as not the application's (the package's own, our own work). */
  settled = 0;
  mask = 0;
  lastCaller: string | undefined;
  readonly firstStack = new Map<string, number | undefined>();
  /** owner: the package root; its own calls through its exports are not usage by a caller */
  constructor(
    readonly api: string,
    readonly owner: string,
  ) {}
}

export class PackageUsage {
  private readonly gates: ExportGate[] = [];

  constructor(private readonly recorder: Recorder) {
    recorder.onFlush(() => this.foldPending());
  }

  gate(api: string, owner: string): ExportGate {
    const g = new ExportGate(api, owner);
    this.gates.push(g);
    return g;
  }

  /** Drops a gate that ended up unused (its wrapper could not be made). */
  forget(gate: ExportGate): void {
    const i = this.gates.indexOf(gate);
    if (i >= 0) this.gates.splice(i, 1);
  }

  /** The hot path, called by every wrapper; `skip` is the wrapper's trap, so the stack starts at the caller. */
  called(gate: ExportGate, skip: Function): void {
    if (guard.depth > 0) return; // our own work calling a package: not the application's use
    if ((++gate.calls & gate.mask) === 0) this.attribute(gate, skip);
  }

  /**
   * Finds the caller of this call (a stack capture) and counts it with the calls pending before
   * it; called by a wrapper after `++gate.calls`.
   */
  attribute(gate: ExportGate, skip: Function): void {
    if (gate.calls === EXPORT_ATTRIBUTE_ALL_CALLS) gate.mask = EXPORT_ATTRIBUTE_ONE_IN - 1;
    if (guard.depth > 0) {
      gate.settled++; // our own work calling a package: not the application's use
      return;
    }
    const r = this.recorder;
    guard.depth++;
    try {
      // a short capture finds the caller almost always; the full one only when it did not
      let sites = captureCallSites(skip, CALLER_FRAMES);
      let found = callerUnit(sites);
      if (found === undefined && sites.length >= CALLER_FRAMES) found = callerUnit((sites = captureCallSites(skip)));
      const caller = found ?? r.appUnit;
      if (caller === gate.owner) {
        gate.settled++; // the package calling itself; pending calls wait for a real caller
        return;
      }
      let stack = gate.firstStack.get(caller);
      if (!gate.firstStack.has(caller)) {
        stack = r.stackHere(skip).stack;
        gate.firstStack.set(caller, stack);
      }
      r.countApi({ api: gate.api, category: 'package', caller, count: gate.calls - gate.settled, t: nowNs(), tid: r.tid, stack });
      gate.settled = gate.calls;
      if (gate.calls > EXPORT_ATTRIBUTE_ALL_CALLS)
        gate.mask = caller === gate.lastCaller ? Math.min(gate.mask * 2 + 1, EXPORT_ATTRIBUTE_ONE_IN_AT_MOST - 1) : EXPORT_ATTRIBUTE_ONE_IN - 1;
      gate.lastCaller = caller;
    } catch {
      if (gate.settled < gate.calls) gate.settled++; // this call is lost, the pending ones wait
      r.fault();
    } finally {
      guard.depth--;
    }
  }

  private foldPending(): void {
    const t = nowNs();
    for (const gate of this.gates) {
      const pending = gate.calls - gate.settled;
      if (pending === 0) continue;
      const caller = gate.lastCaller ?? this.recorder.appUnit;
      gate.settled = gate.calls;
      this.recorder.countApi({ api: gate.api, category: 'package', caller, count: pending, t, tid: this.recorder.tid, stack: gate.firstStack.get(caller) });
    }
  }
}

let usage: PackageUsage | undefined;

/** The package usage table of this thread, or undefined when recording is off. */
export function packageUsage(): PackageUsage | undefined {
  if (usage) return usage;
  const r = activeRecorder();
  if (r) usage = new PackageUsage(r);
  return usage;
}
