// The application model: everything one run directory says about a process tree, merged
// into one value that every output (SBOMs, fingerprint, findings, reports, diff) reads.
//
// How it is built (`buildAppModel`, model/build-app-model.ts):
//   1. the reader streams every event file once, language files (jvm, node) of a pid before
//      its native files, so that spans are indexed before the native calls that join them;
//   2. process images become `ModelProcess`es with their lineage (fork/exec parent);
//   3. code units become `Component`s (components/: npm package.json owner, Maven
//      coordinates, Debian package through the dpkg database, else generic + sha256; the
//      runtimes node, the JVM and libc are components too), with dependency edges and the
//      installed-but-never-loaded set;
//   4. api_usage, call and function_inventory records give each component its usage state
//      (`used` > `loaded` > `installed`), counts, first/last seen and first-use stack;
//   5. merge/ joins native events under language spans (same pid+tid inside [t0, t1]: exact;
//      other thread, matching path/peer/fd inside the span's window: inferred);
//   6. symbols/ names the native calling sites of the run, once all are known, from each
//      unit's ELF symbols and DWARF when its build-id is the recorded one.
//
// Memory stays bounded: records are aggregated as they stream; individual calls are kept
// up to `AppModelOptions.maxCalls` (the rest are counted in `stats.callsNotKept`).
//
// Stability: these types are read by other modules (fingerprint, diff, findings, the
// HTML report). Change them additively only. Every list in an AppModel is sorted
// deterministically, so two models of the same run compare equal.
import type { Category, Frame, MonoNs, Scalar, Source } from '../schema/events.generated.js';
import type { RunManifest } from '../reader/run-manifest.js';
import type { RunContents, RunProblem } from '../reader/run-reader.js';
import type { CollectLimits, LimitKind } from './collect-limits.js';

export type { RunProblem } from '../reader/run-reader.js';

export interface AppModel {
  /** Version of this model shape; bumped only on an incompatible change (there should be none). */
  modelVersion: 1;
  run: RunInfo;
  /** Every process image, sorted by start time then pid. */
  processes: ModelProcess[];
  /** Every component, sorted by `ref`. */
  components: Component[];
  /** Dependency edges between components (by `ref`), sorted by from, to, kind. */
  dependencies: DependencyEdge[];
  /** API usage per calling component, sorted by component, api, subject. */
  apiUsages: ComponentApiUsage[];
  /** Individual calls and language spans (bounded by maxCalls), sorted by process, t0, tid. */
  calls: ModelCall[];
  /** HTTP endpoints served and called, sorted by direction, method, host, route, status. */
  webApis: WebApiUsage[];
  /** Notices the emitters wrote, merged by (source, level, code, subject). */
  notices: ModelNotice[];
  /** Paths the emitters declared their own (their caches), sorted: own/apitrace-own.ts reads them. */
  ownPaths: string[];
  /**
   * The functions of native components the run saw take part in calls, for matching advisories
   * that name affected symbols; sorted by component. Always set by buildAppModel (optional only
   * so that models written by hand need not carry it).
   */
  nativeSymbols?: NativeSymbolUse[];
  /** What the reader and the analysis found wrong (damaged lines, missing records, ...). */
  problems: RunProblem[];
  stats: ModelStats;
}

export interface RunInfo {
  dir: string;
  /** run.json when `apitrace run` wrote one */
  manifest?: RunManifest;
  /**
   * Wall clock of the run's start (RFC 3339): run.json `started`, else the earliest
   * process_start `wall`. Outputs use it as their timestamp so they are reproducible.
   */
  started?: string;
  ended?: string;
  exitStatus?: number;
  /** The earliest monotonic time seen, and the matching wall clock, to convert times for display. */
  clock?: { t: MonoNs; wall: string };
}

export type ProcessLineage = 'start' | 'fork' | 'exec' | 'thread';

export interface ModelProcess {
  /** Stable id within the model: `<pid>` or `<pid>.<n>` for the n-th later image of a pid (exec). */
  id: string;
  pid: number;
  ppid?: number;
  /** id of the parent process image (fork parent, or the image this one exec'd from) when recorded */
  parent?: string;
  /** how this image began */
  lineage: ProcessLineage;
  exe?: string;
  argv?: string[];
  cwd?: string;
  /** emitters that recorded this image */
  sources: Source[];
  /** runtimes seen in the image: glibc from native, node, the JVM (with vendor) */
  runtimes: { source: Source; name: string; version: string; vendor?: string }[];
  /** the main runtime: the language runtime when one recorded, else the native one */
  runtime?: { name: string; version: string; vendor?: string };
  startT?: MonoNs;
  startWall?: string;
  endT?: MonoNs;
  end?: { reason?: 'exit' | 'exec' | 'signal' | 'detach'; exitCode?: number; signal?: number };
  /** some file of the image lacks process_end: the process died or is still running */
  endMissing: boolean;
  /** records the emitters said they dropped */
  dropped: number;
  /** event file names of this image */
  files: string[];
}

export type UsageState = 'used' | 'loaded' | 'installed';

export type ComponentKind = 'npm' | 'maven' | 'native' | 'runtime' | 'application';

export interface Component {
  /** Stable id (purl when there is one, else `<kind>:<name>[@version]`), used as bom-ref / SPDXID seed. */
  ref: string;
  kind: ComponentKind;
  /** npm scope or Maven group */
  group?: string;
  name: string;
  version?: string;
  purl?: string;
  /** how the identity was found: package.json, pom.properties, dpkg, soname, runtime record, ... */
  identifiedBy: string;
  hashes?: { sha256?: string };
  /** Debian package facts when resolved through the dpkg database */
  debian?: { package: string; version: string; architecture: string };
  /** files on disk that belong to the component and were seen (code unit paths), sorted */
  paths: string[];
  usage: UsageState;
  counts: {
    /** code_unit records that said it was loaded */
    loads: number;
    /** calls of observed APIs made from its code (api_usage counts + calls) */
    apiCalls: number;
    /** function hits from the inventory (sum of hits, or of ran functions without hits) */
    functionHits: number;
  };
  firstSeen?: MonoNs;
  lastSeen?: MonoNs;
  /** from function_inventory: functions known and functions that ran */
  functions?: { used: number; total: number };
  /**
   * the functions themselves, from the inventories of the component's code units (JS: per
   * module, Java: per class; a native component's symbols when the emitters record them),
   * sorted by unit, scope, name, line, sig; what VEX verdicts match vulnerable functions against
   */
  functionInventory?: ComponentFunction[];
  /** the stack of its first observed use, merged across languages when possible */
  firstUseStack?: MergedStack;
  /** process ids (ModelProcess.id) it was seen in, sorted */
  processes: string[];
}

export interface ComponentFunction {
  /** the code unit path (npm package root, jar, shared object) */
  unit: string;
  /** JS: the module file relative to the unit; Java: the class; absent when the unit is the scope */
  scope?: string;
  name: string;
  line?: number;
  /** Java: the method descriptor */
  sig?: string;
  ran: boolean;
  hits: number;
}

export type DependencyKind = 'declared' | 'maven' | 'dynamic_link' | 'runtime';

export interface DependencyEdge {
  from: string;
  to: string;
  /** declared: package.json dependencies; maven: pom; dynamic_link: DT_NEEDED; runtime: code runs on it */
  kind: DependencyKind;
}

/** A frame of a merged stack: a contract frame plus the component it belongs to, when known. */
export interface ModelFrame extends Frame {
  component?: string;
}

/**
 * exact: native event on the same (pid, tid) inside the span's [t0, t1];
 * inferred: another thread, an argument (path, peer, fd) matched inside the span's window;
 * none: a stack from one emitter only, nothing joined.
 */
export type JoinRule = 'exact' | 'inferred' | 'none';

export interface MergedStack {
  /** innermost first: the native call (and its library) first, then the language frames */
  frames: ModelFrame[];
  join: JoinRule;
  /** for inferred joins: which argument matched (path, peer, fd, ...) */
  matchedOn?: string;
  /** the language API whose span the native event joined (node:fs.readFileSync) */
  spanApi?: string;
  truncated?: boolean;
}

/**
 * What the run saw of one native component's functions. `called`: its intercepted functions that
 * were called (libc's `rand`, libssl's `SSL_write`: the shim's hook table, docs/native-shim.md);
 * `calling`: its own functions named in the calling site of an intercepted call (from its symbol
 * tables and, for a binary built with -g, the functions inlined there). Both sorted. Neither is
 * every function that ran: functions that call no intercepted API are not seen.
 */
export interface NativeSymbolUse {
  /** the component's ref */
  component: string;
  called: string[];
  calling: string[];
}

export interface ComponentApiUsage {
  /** ref of the calling component; `unknown:<path>` when the caller resolved to none */
  component: string;
  api: string;
  category: Category;
  subject?: string;
  flags: string[];
  count: number;
  firstT: MonoNs;
  lastT: MonoNs;
  processes: string[];
  /** distinct merged stacks seen for this usage (bounded), first-use stack first */
  stacks: MergedStack[];
}

export interface ModelCall {
  process: string;
  tid: number;
  source: Source;
  api: string;
  category: Category;
  t0: MonoNs;
  t1: MonoNs;
  component?: string;
  caller?: string;
  args?: Record<string, Scalar | undefined>;
  result?: { ret?: Scalar; errno?: number; error?: string };
  flags: string[];
  async: boolean;
  /** a language call: its own stack (join none); a native call: merged under its span when one matched */
  stack?: MergedStack;
  /** the language span a native call joined: index into AppModel.calls */
  parentCall?: number;
}

export interface WebApiUsage {
  direction: 'served' | 'called';
  method: string;
  scheme?: string;
  host?: string;
  route: string;
  status?: number;
  framework?: string;
  count: number;
  firstT: MonoNs;
  lastT: MonoNs;
  durNs?: { min: number; max: number; sum: number };
  component?: string;
  processes: string[];
  stack?: MergedStack;
}

export interface ModelNotice {
  source: Source;
  level: 'info' | 'warn' | 'error';
  code: string;
  message: string;
  subject?: string;
  count: number;
  processes: string[];
}

export interface ModelStats {
  files: number;
  records: number;
  recordsByKind: Record<string, number>;
  rejected: number;
  truncatedFiles: number;
  /** calls counted into usages but not kept individually (maxCalls) */
  callsNotKept: number;
  joins: { exact: number; inferred: number; unjoined: number };
  /**
   * Records (functions, components) left out because their kind was past its allowance
   * (model/collect-limits.ts), by kind; absent when everything was kept. The run's problems say it too.
   */
  notKept?: Partial<Record<LimitKind, number>>;
}

export interface AppModelOptions {
  /** individual calls kept in AppModel.calls (default 100,000); the rest are aggregated only */
  maxCalls?: number;
  /** where the dpkg database is (default /var/lib/dpkg); tests point it elsewhere */
  dpkgRoot?: string;
  /** hash files of unresolved native components and jars (default true) */
  hashFiles?: boolean;
  /**
   * worker threads that read the run (default 1; 'auto': the available cores, at most 4, for
   * runs of 64 MB of events or more). The SBOMs do not depend on it; which individual calls
   * are kept beyond maxCalls may. Not the default yet: on the shared 2-core machine it was
   * measured on, it cost more CPU than it saved (docs/performance.md).
   */
  workers?: number | 'auto';
  /** called now and then while reading (a TTY progress line) */
  progress?: (p: { files: number; filesTotal: number; records: number }) => void;
  /** given what the reader found (files, records per kind, problems), for a summary without a second read */
  read?: (run: RunContents) => void;
  /** hash every event file while reading it, to seal the run (default: only to check a seal) */
  digests?: boolean;
  /** how much of a run is kept (default COLLECT_LIMITS, model/collect-limits.ts); tests make them small */
  limits?: CollectLimits;
}
