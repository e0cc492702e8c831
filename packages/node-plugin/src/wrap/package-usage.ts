// Counting calls of wrapped package exports as api_usage (category "package"), attributed to
// the calling package. The hot path is one counter increment: a call's caller is found from a
// stack capture (microseconds) only for the first ATTRIBUTE_ALL_CALLS calls of an export and
// one in ATTRIBUTE_ONE_IN after that; calls in between count for the caller found next (or,
// at a flush, for the last caller seen). Totals per export stay exact.
import { activeRecorder, captureCallSites, callerUnit, guard, nowNs, type Recorder } from '../runtime/index.js';

export const ATTRIBUTE_ALL_CALLS = 256;
/** A power of two: the sampling test is a mask. */
export const ATTRIBUTE_ONE_IN = 4096;

/** One wrapped export: its API id and counters. */
export class ExportGate {
  calls = 0;
  pending = 0;
  lastCaller: string | undefined;
  readonly firstStack = new Map<string, number | undefined>();
  /** owner: the package root; its own calls through its exports are not usage by a caller */
  constructor(readonly api: string, readonly owner: string) {}
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

  /** The hot path, called by every wrapper; `skip` is the wrapper's trap, so the stack starts at the caller. */
  called(gate: ExportGate, skip: Function): void {
    if (guard.depth > 0) return; // our own work calling a package: not the application's use
    const n = ++gate.calls;
    if (n > ATTRIBUTE_ALL_CALLS && (n & (ATTRIBUTE_ONE_IN - 1)) !== 0) {
      gate.pending++;
      return;
    }
    this.attribute(gate, skip);
  }

  /** Finds the caller of this call (a stack capture) and counts it with the calls pending before it. */
  attribute(gate: ExportGate, skip: Function): void {
    if (guard.depth > 0) return; // our own work calling a package: not the application's use
    const r = this.recorder;
    guard.depth++;
    try {
      const caller = callerUnit(captureCallSites(skip)) ?? r.appUnit;
      if (caller === gate.owner) return; // the package calling itself; pending calls wait for a real caller
      let stack = gate.firstStack.get(caller);
      if (!gate.firstStack.has(caller)) {
        stack = r.stackHere(skip).stack;
        gate.firstStack.set(caller, stack);
      }
      r.countApi({ api: gate.api, category: 'package', caller, count: 1 + gate.pending, t: nowNs(), tid: r.tid, stack });
      gate.pending = 0;
      gate.lastCaller = caller;
    } catch {
      r.fault();
    } finally {
      guard.depth--;
    }
  }

  private foldPending(): void {
    const t = nowNs();
    for (const gate of this.gates) {
      if (gate.pending === 0) continue;
      const caller = gate.lastCaller ?? this.recorder.appUnit;
      this.recorder.countApi({ api: gate.api, category: 'package', caller, count: gate.pending, t, tid: this.recorder.tid, stack: gate.firstStack.get(caller) });
      gate.pending = 0;
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
