// Several run directories as one observation: each run's model (model/) is folded in as it is
// built and then dropped, so memory holds one model at a time. Usage is the union (a component
// used in any run is used), function inventories are merged (a function that ran in any run
// ran), and the first call of a package export is the earliest one of all runs by wall clock.
// The window (first start, last end, processes, runs) is what every statement is about.
import type { AppModel, Component, ComponentFunction, ComponentKind, MergedStack, UsageState } from '../model/app-model.js';
import { wallClockOf } from '../sbom/run-facts.js';
import { inventoryGapsOf } from './inventory-gaps.js';
import { packageKeyOf, packageKeyText, type PackageKey } from './package-names.js';

export interface ObservationWindow {
  /** RFC 3339 wall clock of the earliest start, when any run says */
  start?: string;
  /** RFC 3339 wall clock of the latest end (run.json ended, else the last process end) */
  end?: string;
  processes: number;
  runs: number;
  /** records the runs lost (refused lines, files cut off, processes that died): any may have shown code running */
  lostRecords: number;
}

/** A function of the merged inventory: ran and hits are summed over the runs. */
export type ObservedFunction = ComponentFunction;

/** A stack with the wall-clock time it was recorded at. */
export interface ObservedStack {
  stack: MergedStack;
  at?: string;
}

/** Calls of one export of an npm package from outside it (api `npm:<package>.<export>`). */
export interface ExportCalls {
  api: string;
  count: number;
  first?: ObservedStack;
}

export interface ObservedComponent {
  /** the purl, version included: the identity statements are about */
  purl: string;
  key: PackageKey;
  kind: ComponentKind;
  name: string;
  group?: string;
  version?: string;
  usage: UsageState;
  /** the merged inventory, undefined when no run had one for it (no function data) */
  functions?: ObservedFunction[];
  firstUse?: ObservedStack;
  /** export calls by api id */
  exportCalls: Map<string, ExportCalls>;
  /** runs it was seen in (any state) */
  runs: number;
  /**
   * code of it that ran without probes (module files the node plugin left untransformed, classes
   * the JVM agent left untouched): its inventory may show such functions as never run, or not at
   * all, so the inventory cannot prove a function did not run. Sorted, at most MAX_GAPS.
   */
  inventoryGaps: string[];
  /**
   * native: symbols of it the shim saw run (an intercepted function called in it, or a function
   * of it that called one). They can show a vulnerable symbol ran, never that one did not.
   */
  symbolsSeen?: string[];
}

const MAX_GAPS = 20;

export interface Observation {
  window: ObservationWindow;
  /** components with a purl, by purl */
  components: Map<string, ObservedComponent>;
  /** `type\0name` -> purls of that package (one per version seen) */
  byPackage: Map<string, string[]>;
}

const RANK: Record<UsageState, number> = { installed: 0, loaded: 1, used: 2 };

const earlier = (a: string | undefined, b: string | undefined): boolean => a !== undefined && (b === undefined || a < b);

export class ObservationBuilder {
  private readonly components = new Map<string, ObservedComponent & { inventory?: Map<string, ObservedFunction>; symbols?: Set<string> }>();
  private window: ObservationWindow = { processes: 0, runs: 0, lostRecords: 0 };

  add(model: AppModel): void {
    this.addWindow(model);
    const exportPrefix = new Map<string, ObservedComponent>();
    const byRef = new Map<string, ObservedComponent & { symbols?: Set<string> }>();
    for (const c of model.components) {
      const observed = this.addComponent(model, c);
      if (observed && observed.key.type === 'npm') exportPrefix.set(`npm:${observed.key.name}.`, observed);
      if (observed) addGaps(observed, inventoryGapsOf(c, model));
      if (observed) byRef.set(c.ref, observed);
    }
    for (const use of model.nativeSymbols ?? []) {
      const observed = byRef.get(use.component);
      if (!observed) continue;
      observed.symbols ??= new Set();
      for (const name of [...use.called, ...use.calling]) observed.symbols.add(name);
    }
    for (const usage of model.apiUsages) {
      if (!usage.api.startsWith('npm:')) continue;
      const owner = ownerOfApi(usage.api, exportPrefix);
      if (!owner) continue;
      const first = usage.stacks[0];
      const at = wallClockOf(model, usage.firstT);
      const calls = owner.exportCalls.get(usage.api) ?? { api: usage.api, count: 0 };
      calls.count += usage.count;
      if (first && (calls.first === undefined || earlier(at, calls.first.at))) calls.first = { stack: first, ...(at ? { at } : {}) };
      owner.exportCalls.set(usage.api, calls);
    }
  }

  private addWindow(model: AppModel): void {
    const w = this.window;
    w.runs++;
    w.processes += model.processes.length;
    // refused lines, files cut off, and processes that died before writing their end record
    // (what they still held in their buffers never reached the run)
    w.lostRecords += model.stats.rejected + model.stats.truncatedFiles + model.processes.filter((p) => p.endMissing).length;
    const start = model.run.started ? iso(model.run.started) : undefined;
    let end = model.run.ended ? iso(model.run.ended) : undefined;
    if (end === undefined) {
      for (const p of model.processes) {
        const t = wallClockOf(model, p.endT ?? p.startT);
        if (t !== undefined && (end === undefined || t > end)) end = t;
      }
    }
    if (earlier(start, w.start)) w.start = start;
    if (end !== undefined && (w.end === undefined || end > w.end)) w.end = end;
  }

  private addComponent(model: AppModel, c: Component): ObservedComponent | undefined {
    const key = packageKeyOf(c.purl);
    if (!c.purl || !key) return undefined;
    let observed = this.components.get(c.purl);
    if (!observed) {
      observed = {
        purl: c.purl,
        key,
        kind: c.kind,
        name: c.name,
        ...(c.group ? { group: c.group } : {}),
        ...(c.version ? { version: c.version } : {}),
        usage: c.usage,
        exportCalls: new Map(),
        runs: 0,
        inventoryGaps: [],
      };
      this.components.set(c.purl, observed);
    }
    observed.runs++;
    if (RANK[c.usage] > RANK[observed.usage]) observed.usage = c.usage;
    if (c.firstUseStack) {
      const at = wallClockOf(model, c.firstSeen);
      if (observed.firstUse === undefined || earlier(at, observed.firstUse.at)) observed.firstUse = { stack: c.firstUseStack, ...(at ? { at } : {}) };
    }
    if (c.functionInventory) {
      const inventory = observed.inventory ?? new Map<string, ObservedFunction>();
      for (const f of c.functionInventory) {
        // the same function in another run (another install path) is the same function
        const k = `${f.scope ?? ''}\0${f.name}\0${f.line ?? ''}\0${f.sig ?? ''}`;
        const known = inventory.get(k);
        if (known) {
          known.ran ||= f.ran;
          known.hits += f.hits;
        } else {
          inventory.set(k, { ...f });
        }
      }
      observed.inventory = inventory;
    }
    return observed;
  }

  finish(): Observation {
    const components = new Map<string, ObservedComponent>();
    const byPackage = new Map<string, string[]>();
    for (const [purl, { inventory, symbols, ...c }] of [...this.components].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      components.set(purl, { ...c, ...(inventory ? { functions: [...inventory.values()] } : {}), ...(symbols ? { symbolsSeen: [...symbols].sort() } : {}) });
      const k = packageKeyText(c.key.type, c.key.name);
      byPackage.set(k, [...(byPackage.get(k) ?? []), purl]);
    }
    return { window: { ...this.window }, components, byPackage };
  }
}

function addGaps(c: ObservedComponent, gaps: string[]): void {
  if (gaps.length === 0) return;
  c.inventoryGaps = [...new Set([...c.inventoryGaps, ...gaps])].sort().slice(0, MAX_GAPS);
}

/** The npm component whose export an api id names: the longest package name that prefixes it. */
function ownerOfApi(api: string, byPrefix: Map<string, ObservedComponent>): ObservedComponent | undefined {
  let best: ObservedComponent | undefined;
  let bestLength = 0;
  for (let dot = api.indexOf('.'); dot !== -1; dot = api.indexOf('.', dot + 1)) {
    const found = byPrefix.get(api.slice(0, dot + 1));
    if (found && dot > bestLength) {
      best = found;
      bestLength = dot;
    }
  }
  return best;
}

function iso(text: string): string | undefined {
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
