// Collects a run as it streams: each record is folded into bounded aggregates (code units,
// API usages, function inventories, web APIs, notices) and at most `maxCalls` individual
// calls. Native events are joined to language spans as they arrive (merge/), which works
// because the reader hands over a pid's language files before its native ones. Every aggregate
// that grows with distinct keys stops at its allowance (collect-limits.ts): memory is bounded
// whatever the event files hold.
import type { ApitraceEvent, Category, CodeUnit, Frame, Scalar, Source } from '../schema/events.generated.js';
import type { EventFileSummary } from '../reader/run-reader.js';
import type { CodeUnitFacts } from '../components/component-catalog.js';
import { addSite, mergeSites, type NativeSites } from '../symbols/native-symbolizer.js';
import {
  matchesOf,
  mergeNativeIntoSpan,
  nativeFrames,
  SpanIndex,
  spanStack,
  type LanguageSpan,
  type NativeEvent,
  type NativeJoin,
} from '../merge/native-into-spans.js';
import type { MergedStack, ModelCall, ModelNotice, WebApiUsage } from './app-model.js';
import { Allowance, COLLECT_LIMITS, FRAME_TEXT, framesText, valueText, type CollectLimits, type LimitKind, type NotKept } from './collect-limits.js';

/** Distinct stacks kept per API usage besides the first-use one. */
const MAX_STACKS_PER_USAGE = 4;
/** Records of one usage looked at for further distinct stacks, after which only the first-use one changes. */
const MAX_STACK_TRIES = 32;
/** What a member of a Set costs besides its string, in characters of an allowance's text. */
const MEMBER_TEXT = 16;
const NO_JOIN: NativeJoin = { rule: 'none' };
const EMPTY_FRAMES: readonly Frame[] = [];

/**
 * One (caller, api, subject) of a run. There can be a million of them: what most have one of
 * (a file, no flags, one stack) takes no Set of its own.
 */
export interface UsageAggregate {
  caller: string;
  api: string;
  category: Category;
  subject?: string;
  flags?: Set<string>;
  /** sum of api_usage counts */
  usageCount: number;
  /** number of call records (samples of the same calls) */
  callCount: number;
  firstT: number;
  lastT: number;
  /** the event file it was seen in, or the files when several (usageFiles) */
  files: string | Set<string>;
  firstStack?: MergedStack;
  firstSignature?: string;
  /** records looked at for distinct stacks (bounded by MAX_STACK_TRIES) */
  stackTries: number;
  /** the file of the previous record, to skip re-adding it to files */
  lastFile?: string;
  stacks: MergedStack[];
  /** the signature of each of stacks, same order */
  stackKeys: string[];
  /** signatures of stacks met besides firstSignature (earlier first-use ones too): each is kept once */
  stackSignatures?: Set<string>;
}

/** The event files a usage was seen in. */
function usageFiles(usage: UsageAggregate): Iterable<string> {
  return typeof usage.files === 'string' ? [usage.files] : usage.files;
}

function addUsageFile(usage: UsageAggregate, file: string): void {
  if (typeof usage.files !== 'string') usage.files.add(file);
  else if (usage.files !== file) usage.files = new Set([usage.files, file]);
}

/** Whether a usage met a stack of this signature before. */
function stackSeen(usage: UsageAggregate, signature: string): boolean {
  return usage.firstSignature === signature || usage.stackSignatures?.has(signature) === true;
}

export interface FunctionFacts {
  ran: boolean;
  hits: number;
}

/** A kept call before the model sorts it; `parentSerial` names the span it joined. */
export interface CollectedCall extends Omit<ModelCall, 'process' | 'parentCall'> {
  file: string;
  serial: number;
  parentSerial?: number;
}

interface FileState {
  file: EventFileSummary;
  stacks: Map<number, { frames: Frame[]; truncated: boolean }>;
  /** build-ids of the file's shared objects, by path: what its native frames are named against */
  buildIds: Map<string, string>;
}

/** A collector's data, as posted back by a worker thread. */
export interface CollectedRun {
  units: Map<string, CodeUnitFacts>;
  usages: Map<string, UsageAggregate>;
  inventories: Map<string, Map<string, FunctionFacts>>;
  frameUnits: Set<string>;
  /** the native calling sites of every stack record, named once the run is read (symbols/) */
  nativeSites: NativeSites;
  calls: CollectedCall[];
  webApis: Map<string, WebApiUsage & { files: Set<string> }>;
  notices: Map<string, Omit<ModelNotice, 'processes'> & { files: Set<string> }>;
  ownPaths: Set<string>;
  callsNotKept: number;
  joins: { exact: number; inferred: number; unjoined: number };
  /** serial numbers the collector handed out */
  serials: number;
  /** the kinds that did not fit their allowance */
  notKept: Partial<Record<LimitKind, NotKept>>;
}

export interface CollectorOptions {
  maxCalls: number;
  /** first id for frame lists; workers of one run use disjoint ranges so signatures stay comparable */
  idBase?: number;
  /** the allowances (default COLLECT_LIMITS); tests make them small */
  limits?: CollectLimits;
}

/** The collector's allowances, one per kind of aggregate. */
type Allowances = Record<Exclude<LimitKind, 'components'>, Allowance>;

export class RunCollector {
  readonly units = new Map<string, CodeUnitFacts>();
  readonly usages = new Map<string, UsageAggregate>();
  /** caller -> api -> subject -> usage (this collector's own records; absorbed ones are only in usages) */
  private readonly usageIndex = new Map<string, Map<string, Map<string, UsageAggregate>>>();
  /** unit path -> `scope\0name\0line\0sig` -> facts */
  readonly inventories = new Map<string, Map<string, FunctionFacts>>();
  /** unit paths seen as frames of any stack: their code ran */
  readonly frameUnits = new Set<string>();
  readonly nativeSites: NativeSites = new Map();
  readonly calls: CollectedCall[] = [];
  readonly webApis = new Map<string, WebApiUsage & { files: Set<string> }>();
  readonly notices = new Map<string, Omit<ModelNotice, 'processes'> & { files: Set<string> }>();
  /** paths the emitters declared their own (own_activity): none of the application's behaviour */
  readonly ownPaths = new Set<string>();
  /** `pid:tid` of the emitters' helper threads; a pid's language files are read before its native ones */
  private readonly ownThreads = new Set<string>();
  callsNotKept = 0;
  joins = { exact: 0, inferred: 0, unjoined: 0 };

  private readonly spans = new SpanIndex();
  /**
   * One native event object, refilled per record: it runs for most records of a run, and
   * nothing keeps it (the join and the merged stack copy what they need).
   */
  private readonly scratch: NativeEvent = {
    pid: 0,
    tid: undefined,
    t: 0,
    api: '',
    caller: undefined,
    frames: undefined,
    truncated: undefined,
    args: undefined,
    subject: undefined,
  };
  /** merged stacks are shared between the records that have the same one */
  private readonly internedStacks = new Map<string, MergedStack>();
  private readonly internedBySpan = new Map<readonly Frame[], Map<string, MergedStack>>();
  private readonly frameListIds = new WeakMap<object, number>();
  /** ids of frame lists (one per stack record), unique across the collectors of one run */
  private nextFrameListId: number;
  private state: FileState | undefined;
  private serial = 0;
  private flaggedKept = 0;
  private readonly allow: Allowances;

  constructor(private readonly options: CollectorOptions) {
    this.nextFrameListId = (options.idBase ?? 0) + 1;
    // components are made later, by the catalog: build-app-model gives it their allowance
    const { components: _components, ...kinds } = options.limits ?? COLLECT_LIMITS;
    this.allow = Object.fromEntries(Object.entries(kinds).map(([kind, limit]) => [kind, new Allowance(limit)])) as Allowances;
  }

  /** The kinds that did not fit their allowance, and how much of each was not kept. */
  notKept(): Partial<Record<LimitKind, NotKept>> {
    const result: Partial<Record<LimitKind, NotKept>> = {};
    for (const [kind, allowance] of Object.entries(this.allow)) {
      const n = allowance.notKept();
      if (n) result[kind as LimitKind] = n;
    }
    return result;
  }

  /** What this collector gathered, as plain data a worker thread can post back. */
  export(): CollectedRun {
    return {
      units: this.units,
      usages: this.usages,
      inventories: this.inventories,
      frameUnits: this.frameUnits,
      nativeSites: this.nativeSites,
      calls: this.calls,
      webApis: this.webApis,
      notices: this.notices,
      ownPaths: this.ownPaths,
      callsNotKept: this.callsNotKept,
      joins: this.joins,
      serials: this.serial,
      notKept: this.notKept(),
    };
  }

  /**
   * Folds in what another collector gathered from later pids (a worker's share of the run),
   * as if this collector had read those files after its own.
   */
  absorb(other: CollectedRun): void {
    const allow = this.allow;
    for (const p of other.ownPaths) if (!this.ownPaths.has(p) && allow.ownPaths.admit(p.length)) this.ownPaths.add(p);
    for (const [path, unit] of other.units) {
      const mine = this.units.get(path);
      if (!mine) {
        if (allow.codeUnits.admit(unitText(unit))) this.units.set(path, unit);
        continue;
      }
      mine.loaded ||= unit.loaded;
      mine.loads += unit.loads;
      if (unit.firstT !== undefined) mine.firstT = Math.min(mine.firstT ?? Infinity, unit.firstT);
      if (unit.lastT !== undefined) mine.lastT = Math.max(mine.lastT ?? -Infinity, unit.lastT);
      mine.needed ??= unit.needed;
      mine.soname ??= unit.soname;
      mine.sha256 ??= unit.sha256;
      mine.package ??= unit.package;
      mine.maven ??= unit.maven;
      mine.manifest ??= unit.manifest;
      unit.files.forEach((f) => mine.files.add(f));
    }
    for (const [key, usage] of other.usages) {
      const mine = this.usages.get(key);
      if (!mine) {
        let text = 2 * usageKeyText(usage.caller, usage.api, usage.subject);
        usage.flags?.forEach((f) => (text += f.length + MEMBER_TEXT));
        usage.stackSignatures?.forEach((s) => (text += s.length + MEMBER_TEXT));
        if (allow.apiUsages.admit(text)) this.usages.set(key, usage);
        continue;
      }
      mine.usageCount += usage.usageCount;
      mine.callCount += usage.callCount;
      if (usage.flags) this.addFlags(mine, usage.flags);
      for (const f of usageFiles(usage)) addUsageFile(mine, f);
      mine.lastT = Math.max(mine.lastT, usage.lastT);
      if (usage.firstStack && usage.firstSignature !== undefined && usage.firstT < mine.firstT) {
        this.replaceFirstStack(mine, usage.firstStack, usage.firstSignature);
      } else if (usage.firstStack && usage.firstSignature !== undefined) {
        this.keepOther(mine, usage.firstStack, usage.firstSignature);
      }
      mine.firstT = Math.min(mine.firstT, usage.firstT);
      usage.stacks.forEach((stack, i) => this.keepOther(mine, stack, usage.stackKeys[i]!));
    }
    for (const [unit, inventory] of other.inventories) {
      let mine = this.inventories.get(unit);
      if (!mine) {
        if (!allow.functions.admit(unit.length)) {
          if (inventory.size > 1) allow.functions.refuse(allow.functions.reached!, inventory.size - 1);
          continue;
        }
        mine = new Map();
        this.inventories.set(unit, mine);
      }
      for (const [key, facts] of inventory) {
        const f = mine.get(key);
        if (f) {
          f.ran ||= facts.ran;
          f.hits += facts.hits;
        } else if (allow.functions.admit(key.length)) {
          mine.set(key, facts);
        }
      }
    }
    for (const u of other.frameUnits) if (!this.frameUnits.has(u) && allow.frameUnits.admit(u.length)) this.frameUnits.add(u);
    mergeSites(this.nativeSites, other.nativeSites);
    const offset = this.serial;
    for (const call of other.calls) {
      if (this.calls.length >= this.options.maxCalls && call.flags.length === 0) {
        this.callsNotKept++;
        continue;
      }
      this.calls.push({ ...call, serial: call.serial + offset, ...(call.parentSerial === undefined ? {} : { parentSerial: call.parentSerial + offset }) });
    }
    this.serial += other.serials;
    for (const [key, web] of other.webApis) {
      const mine = this.webApis.get(key);
      if (!mine) {
        if (allow.webApis.admit(key.length + (web.component?.length ?? 0) + (web.stack ? framesText(web.stack.frames) : 0))) this.webApis.set(key, web);
        continue;
      }
      mine.count += web.count;
      mine.firstT = Math.min(mine.firstT, web.firstT);
      mine.lastT = Math.max(mine.lastT, web.lastT);
      if (web.durNs) {
        mine.durNs = mine.durNs
          ? { min: Math.min(mine.durNs.min, web.durNs.min), max: Math.max(mine.durNs.max, web.durNs.max), sum: mine.durNs.sum + web.durNs.sum }
          : web.durNs;
      }
      web.files.forEach((f) => mine.files.add(f));
    }
    for (const [key, notice] of other.notices) {
      const mine = this.notices.get(key);
      if (!mine) {
        if (allow.notices.admit(key.length + notice.message.length)) this.notices.set(key, notice);
        continue;
      }
      mine.count += notice.count;
      notice.files.forEach((f) => mine.files.add(f));
    }
    for (const [kind, n] of Object.entries(other.notKept)) this.allow[kind as keyof Allowances]?.refuse(n.reached, n.refused);
    this.callsNotKept += other.callsNotKept;
    this.joins.exact += other.joins.exact;
    this.joins.inferred += other.joins.inferred;
    this.joins.unjoined += other.joins.unjoined;
  }

  readonly visit = (event: ApitraceEvent, file: EventFileSummary): void => {
    let state = this.state;
    if (state?.file !== file) {
      if (!state || state.file.pid !== file.pid) {
        this.spans.clear();
        this.allow.spansPerProcess.reset();
        this.allow.stacksPerProcess.reset();
      }
      state = { file, stacks: new Map(), buildIds: new Map() };
      this.state = state;
    }
    switch (event.kind) {
      case 'api_usage':
        return this.isOwnThread(file, event.tid) ? undefined : this.onApiUsage(event, state);
      case 'call':
        return this.isOwnThread(file, event.tid) ? undefined : this.onCall(event, state);
      case 'own_activity': {
        event.paths?.forEach((p) => {
          if (!this.ownPaths.has(p) && this.allow.ownPaths.admit(p.length)) this.ownPaths.add(p);
        });
        event.tids?.forEach((tid) => {
          const thread = `${file.pid}:${tid}`;
          if (!this.ownThreads.has(thread) && this.allow.ownThreads.admit(thread.length)) this.ownThreads.add(thread);
        });
        return;
      }
      case 'stack': {
        // a stack not kept is one no record refers to: theirs are then stackless, and its sites unnamed
        const kept = this.allow.stacksPerProcess.admit(framesText(event.frames));
        if (kept) state.stacks.set(event.id, { frames: event.frames, truncated: event.truncated === true });
        for (const f of event.frames) {
          if (f.unit === undefined) continue;
          if (!this.frameUnits.has(f.unit) && this.allow.frameUnits.admit(f.unit.length)) this.frameUnits.add(f.unit);
          if (kept && f.lang === 'native' && f.fn === '?' && f.addr !== undefined) addSite(this.nativeSites, f.unit, state.buildIds.get(f.unit), f.addr);
        }
        return;
      }
      case 'code_unit': {
        if (event.build_id !== undefined) state.buildIds.set(event.path, event.build_id);
        return this.onCodeUnit(event, file);
      }
      case 'function_inventory': {
        const allowance = this.allow.functions;
        let inventory = this.inventories.get(event.unit);
        if (!inventory) {
          if (!allowance.admit(event.unit.length)) {
            // counted as its functions (the unit itself when it has none)
            if (event.functions.length > 1) allowance.refuse(allowance.reached!, event.functions.length - 1);
            return;
          }
          inventory = new Map();
          this.inventories.set(event.unit, inventory);
        }
        for (const fn of event.functions) {
          const key = `${event.scope ?? ''}\0${fn.name}\0${fn.line ?? ''}\0${fn.sig ?? ''}`;
          const facts = inventory.get(key);
          if (facts) {
            facts.ran ||= fn.ran;
            facts.hits += fn.hits ?? 0;
          } else if (allowance.admit(key.length)) {
            inventory.set(key, { ran: fn.ran, hits: fn.hits ?? 0 });
          }
        }
        return;
      }
      case 'web_api': {
        const key = [event.direction, event.method, event.host ?? '', event.route, event.status ?? ''].join('\0');
        const stack = event.stack === undefined ? undefined : state.stacks.get(event.stack);
        const web = this.webApis.get(key);
        if (
          !web &&
          !this.allow.webApis.admit(
            key.length + (event.caller?.length ?? 0) + (event.framework?.length ?? 0) + (event.scheme?.length ?? 0) + (stack ? framesText(stack.frames) : 0),
          )
        ) {
          return;
        }
        if (web) {
          web.count += event.count;
          web.firstT = Math.min(web.firstT, event.first_t);
          web.lastT = Math.max(web.lastT, event.last_t);
          if (event.dur_ns) {
            web.durNs = web.durNs
              ? { min: Math.min(web.durNs.min, event.dur_ns.min), max: Math.max(web.durNs.max, event.dur_ns.max), sum: web.durNs.sum + event.dur_ns.sum }
              : { ...event.dur_ns };
          }
          web.files.add(file.name);
        } else {
          this.webApis.set(key, {
            direction: event.direction,
            method: event.method,
            ...(event.scheme ? { scheme: event.scheme } : {}),
            ...(event.host ? { host: event.host } : {}),
            route: event.route,
            ...(event.status === undefined ? {} : { status: event.status }),
            ...(event.framework ? { framework: event.framework } : {}),
            count: event.count,
            firstT: event.first_t,
            lastT: event.last_t,
            ...(event.dur_ns ? { durNs: { ...event.dur_ns } } : {}),
            ...(event.caller ? { component: event.caller } : {}),
            processes: [],
            ...(stack ? { stack: { frames: stack.frames.map((f) => ({ ...f })), join: 'none' as const } } : {}),
            files: new Set([file.name]),
          });
        }
        return;
      }
      case 'notice': {
        const key = [file.source, event.level, event.code, event.subject ?? ''].join('\0');
        const notice = this.notices.get(key);
        if (!notice && !this.allow.notices.admit(key.length + event.message.length)) return;
        if (notice) {
          notice.count += event.count ?? 1;
          notice.files.add(file.name);
        } else {
          this.notices.set(key, {
            source: file.source,
            level: event.level,
            code: event.code,
            message: event.message,
            ...(event.subject ? { subject: event.subject } : {}),
            count: event.count ?? 1,
            files: new Set([file.name]),
          });
        }
        return;
      }
      default:
        return;
    }
  };

  private isOwnThread(file: EventFileSummary, tid: number | undefined): boolean {
    return tid !== undefined && this.ownThreads.size > 0 && this.ownThreads.has(`${file.pid}:${tid}`);
  }

  private onCodeUnit(event: CodeUnit, file: EventFileSummary): void {
    const loaded = event.loaded !== false;
    let unit = this.units.get(event.path);
    let facts = true;
    if (!unit) {
      if (!this.allow.codeUnits.admit(event.path.length + factsGrowth(undefined, event))) return;
      unit = { path: event.path, unit: event.unit, loaded: false, loads: 0, files: new Set() };
      this.units.set(event.path, unit);
    } else if (event.needed || event.soname || event.sha256 || event.package || event.maven) {
      // a later record restates the facts (the last one wins): only what they grow by is new text
      const growth = factsGrowth(unit, event);
      facts = growth <= 0 || this.allow.codeUnits.grow(growth);
    }
    unit.files.add(file.name);
    if (loaded) {
      unit.loaded = true;
      unit.loads++;
      unit.firstT = Math.min(unit.firstT ?? Infinity, event.t);
      unit.lastT = Math.max(unit.lastT ?? -Infinity, event.t);
    }
    if (!facts) return;
    if (event.needed) unit.needed = event.needed;
    if (event.soname) unit.soname = event.soname;
    if (event.sha256) unit.sha256 = event.sha256;
    if (event.package) unit.package = event.package;
    if (event.maven) unit.maven = event.maven;
    if (event.manifest) unit.manifest = event.manifest;
  }

  private stackOf(state: FileState, id: number | undefined): { frames: Frame[]; truncated: boolean } | undefined {
    return id === undefined ? undefined : state.stacks.get(id);
  }

  private onApiUsage(event: Extract<ApitraceEvent, { kind: 'api_usage' }>, state: FileState): void {
    const usage = this.usageFor(event.caller, event.api, event.category, event.subject, state.file.name);
    if (!usage) return;
    usage.usageCount += event.count;
    if (event.flags) this.addFlags(usage, event.flags);
    const isFirst = event.first_t < usage.firstT;
    if (isFirst) usage.firstT = event.first_t;
    if (event.last_t > usage.lastT) usage.lastT = event.last_t;
    const recorded = this.stackOf(state, event.stack);
    if (!isFirst && !recorded && this.spans.size === 0) return;
    const source = state.file.source;
    if (source === 'native') {
      const native = this.scratch;
      native.pid = state.file.pid;
      native.tid = event.tid;
      native.t = event.first_t;
      native.api = event.api;
      native.caller = event.caller;
      native.frames = recorded?.frames;
      native.truncated = recorded?.truncated;
      native.args = undefined;
      native.subject = event.subject;
      const join = this.spans.size > 0 ? this.spans.join(native) : NO_JOIN;
      this.countJoin(join.rule);
      if (isFirst || wantsMoreStacks(usage)) this.addStack(usage, this.mergedStack(native, join), isFirst);
    } else if (isFirst || wantsMoreStacks(usage)) {
      this.addStack(usage, this.languageStack(event.api, source, recorded), isFirst);
    }
  }

  private addFlags(usage: UsageAggregate, flags: Iterable<string>): void {
    for (const f of flags) {
      if (usage.flags?.has(f) || !this.allow.apiUsages.grow(f.length + MEMBER_TEXT)) continue;
      (usage.flags ??= new Set()).add(f);
    }
  }

  /** Remembers a stack signature of a usage (to keep each distinct stack once), within its allowance. */
  private remember(usage: UsageAggregate, signature: string): boolean {
    if (stackSeen(usage, signature)) return true;
    if (!this.allow.apiUsages.grow(signature.length + MEMBER_TEXT)) return false;
    (usage.stackSignatures ??= new Set()).add(signature);
    return true;
  }

  private frameListId(frames: readonly Frame[] | undefined): number {
    if (!frames || frames.length === 0) return 0;
    let id = this.frameListIds.get(frames);
    if (id === undefined) {
      id = this.nextFrameListId++;
      this.frameListIds.set(frames, id);
    }
    return id;
  }

  /** The merged stack of a native event (shared with the events that have the same), or undefined past its allowance. */
  private mergedStack(native: NativeEvent, join: NativeJoin): { key: string; stack: MergedStack } | undefined {
    // first level by object identity (the span's frames, the recorded native frames), then a
    // short key: no walk over frames per record
    const spanFrames = join.span?.frames ?? EMPTY_FRAMES;
    let bySpan = this.internedBySpan.get(spanFrames);
    const key = `${join.rule}|${join.matchedOn ?? ''}|${join.span?.api ?? ''}|${native.api}|${native.caller ?? ''}|${this.frameListId(native.frames)}`;
    let stack = bySpan?.get(key);
    if (!stack) {
      // a merged stack copies its frames: the text of both lists, and the key
      const text = key.length + framesText(native.frames ?? EMPTY_FRAMES) + framesText(spanFrames) + (native.caller?.length ?? 0) + 2 * FRAME_TEXT;
      if (!this.allow.mergedStacks.admit(text)) return undefined;
      stack = mergeNativeIntoSpan(native, join);
      if (!bySpan) {
        bySpan = new Map();
        this.internedBySpan.set(spanFrames, bySpan);
      }
      bySpan.set(key, stack);
    }
    return { key: `${this.frameListId(spanFrames)}|${key}`, stack };
  }

  /** A language call's own stack (shared like merged ones), or undefined past the allowance. */
  private languageStack(
    api: string,
    source: Source,
    recorded: { frames: Frame[]; truncated: boolean } | undefined,
  ): { key: string; stack: MergedStack } | undefined {
    const key = `lang|${api}|${this.frameListId(recorded?.frames)}`;
    let stack = this.internedStacks.get(key);
    if (!stack) {
      if (!this.allow.mergedStacks.admit(key.length + framesText(recorded?.frames ?? EMPTY_FRAMES) + FRAME_TEXT)) return undefined;
      stack = spanStack({ api, source, frames: recorded?.frames ?? [], truncated: recorded?.truncated ?? false });
      this.internedStacks.set(key, stack);
    }
    return { key, stack };
  }

  private onCall(event: Extract<ApitraceEvent, { kind: 'call' }>, state: FileState): void {
    const file = state.file;
    const subject = subjectOf(event.args);
    const caller = event.caller ?? '';
    const usage = this.usageFor(caller, event.api, event.category, subject, file.name);
    if (!usage) return;
    usage.callCount++;
    if (event.flags) this.addFlags(usage, event.flags);
    const isFirst = event.t0 < usage.firstT;
    if (isFirst) usage.firstT = event.t0;
    if (event.t1 > usage.lastT) usage.lastT = event.t1;
    const recorded = this.stackOf(state, event.stack);
    const flagged = event.flags !== undefined && event.flags.length > 0;
    const keep =
      (this.calls.length - this.flaggedKept < this.options.maxCalls || (flagged && this.flaggedKept < this.options.maxCalls)) &&
      this.allow.keptCalls.admit(caller.length + valueText(event.args) + valueText(event.result) + valueText(event.flags));
    const serial = keep ? this.serial++ : -1;

    const wantStack = keep || isFirst || wantsMoreStacks(usage);
    let stack: { key: string; stack: MergedStack } | undefined;
    let parentSerial: number | undefined;
    if (file.source === 'native') {
      const native = this.scratch;
      native.pid = file.pid;
      native.tid = event.tid;
      native.t = event.t0;
      native.api = event.api;
      native.caller = event.caller;
      native.frames = recorded?.frames;
      native.truncated = recorded?.truncated;
      native.args = event.args;
      native.subject = undefined;
      const join = this.spans.size > 0 ? this.spans.join(native) : NO_JOIN;
      this.countJoin(join.rule);
      if (wantStack) stack = this.mergedStack(native, join);
      parentSerial = join.span?.callIndex;
    } else {
      const matches = matchesOf(event.args);
      if (this.allow.spansPerProcess.admit(matches.reduce((n, [name, value]) => n + name.length + value.length + MEMBER_TEXT, 0))) {
        const span: LanguageSpan = {
          pid: file.pid,
          tid: event.tid,
          t0: event.t0,
          t1: event.t1,
          async: event.async === true,
          api: event.api,
          source: file.source,
          frames: recorded?.frames ?? EMPTY_FRAMES,
          truncated: recorded?.truncated ?? false,
          matches,
        };
        if (keep) span.callIndex = serial;
        this.spans.add(span);
      }
      if (wantStack) stack = this.languageStack(event.api, file.source, recorded);
    }
    if (stack) this.addStack(usage, stack, isFirst);
    if (!keep) {
      this.callsNotKept++;
      return;
    }
    if (flagged && this.calls.length - this.flaggedKept >= this.options.maxCalls) this.flaggedKept++;
    // optional fields assigned, not spread from temporary objects: this runs for every kept call;
    // the order of assignment is the order of the keys in the output
    const call: CollectedCall = {
      file: file.name,
      serial,
      tid: event.tid,
      source: file.source,
      api: event.api,
      category: event.category,
      t0: event.t0,
      t1: event.t1,
    } as CollectedCall;
    if (event.caller) call.caller = event.caller;
    if (event.args) call.args = event.args;
    if (event.result) call.result = event.result;
    call.flags = event.flags ? [...event.flags].sort() : [];
    call.async = event.async === true;
    if (stack) call.stack = stack.stack;
    if (parentSerial !== undefined) call.parentSerial = parentSerial;
    this.calls.push(call);
  }

  private countJoin(rule: 'exact' | 'inferred' | 'none'): void {
    if (rule === 'exact') this.joins.exact++;
    else if (rule === 'inferred') this.joins.inferred++;
    else this.joins.unjoined++;
  }

  /** The usage of a record's key, or undefined when the key is new and past the allowance. */
  private usageFor(caller: string, api: string, category: Category, subject: string | undefined, file: string): UsageAggregate | undefined {
    // nested maps instead of one concatenated key: no new string per record to build and hash
    const subjectKey = subject ?? '';
    let usage = this.usageIndex.get(caller)?.get(api)?.get(subjectKey);
    if (!usage) {
      // the key is held twice: in the index and concatenated in usages
      if (!this.allow.apiUsages.admit(2 * usageKeyText(caller, api, subject))) return undefined;
      let byApi = this.usageIndex.get(caller);
      if (!byApi) {
        byApi = new Map();
        this.usageIndex.set(caller, byApi);
      }
      let bySubject = byApi.get(api);
      if (!bySubject) {
        bySubject = new Map();
        byApi.set(api, bySubject);
      }
      usage = {
        caller,
        api,
        category,
        ...(subject === undefined ? {} : { subject }),
        usageCount: 0,
        callCount: 0,
        firstT: Infinity,
        lastT: -Infinity,
        files: file,
        stacks: [],
        stackKeys: [],
        stackTries: 0,
        lastFile: file,
      };
      bySubject.set(subjectKey, usage);
      this.usages.set(`${caller}\0${api}\0${subjectKey}`, usage);
    }
    if (usage.lastFile !== file) {
      addUsageFile(usage, file);
      usage.lastFile = file;
    }
    return usage;
  }

  private addStack(usage: UsageAggregate, merged: { key: string; stack: MergedStack } | undefined, isFirst: boolean): void {
    if (!merged) return;
    if (isFirst) this.replaceFirstStack(usage, merged.stack, merged.key);
    else this.keepOther(usage, merged.stack, merged.key);
  }

  /** An earlier first use: its stack is the first-use one; the one it replaces is not shown again. */
  private replaceFirstStack(usage: UsageAggregate, stack: MergedStack, signature: string): void {
    const replaced = usage.firstSignature;
    usage.firstStack = stack;
    usage.firstSignature = signature;
    if (replaced !== undefined) this.remember(usage, replaced);
  }

  private keepOther(usage: UsageAggregate, stack: MergedStack, signature: string): void {
    if (usage.stacks.length >= MAX_STACKS_PER_USAGE || stackSeen(usage, signature) || !this.remember(usage, signature)) return;
    usage.stacks.push(stack);
    usage.stackKeys.push(signature);
  }
}

const usageKeyText = (caller: string, api: string, subject: string | undefined): number => caller.length + api.length + (subject?.length ?? 0);

const stringsText = (strings: readonly string[] | undefined): number => (strings ?? []).reduce((n, s) => n + s.length + MEMBER_TEXT, 0);

/** The text a code_unit record's facts add to what a unit holds (all of them for a new unit). */
function factsGrowth(unit: Omit<CodeUnit, 'kind' | 't' | 'unit' | 'path'> | undefined, event: Omit<CodeUnit, 'kind' | 't' | 'unit' | 'path'>): number {
  let n = 0;
  if (event.needed) n += stringsText(event.needed) - stringsText(unit?.needed);
  if (event.soname) n += event.soname.length - (unit?.soname?.length ?? 0);
  if (event.sha256) n += event.sha256.length - (unit?.sha256?.length ?? 0);
  if (event.package) n += valueText(event.package) - (unit?.package ? valueText(unit.package) : 0);
  if (event.maven) n += valueText(event.maven) - (unit?.maven ? valueText(unit.maven) : 0);
  return n;
}

const unitText = (unit: CodeUnitFacts): number => unit.path.length + factsGrowth(undefined, unit);

function wantsMoreStacks(usage: UsageAggregate): boolean {
  return usage.stacks.length < MAX_STACKS_PER_USAGE && usage.stackTries++ < MAX_STACK_TRIES;
}

// in order of preference; one array for all calls, not a literal built per call
const SUBJECT_ARGS = ['path', 'program', 'peer', 'local', 'host', 'library', 'url'] as const;

/** The argument of a call that keys its usage like an api_usage subject. */
export function subjectOf(args: Record<string, Scalar | undefined> | undefined): string | undefined {
  if (!args) return undefined;
  for (const name of SUBJECT_ARGS) {
    const value = args[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export { nativeFrames };
export type { Source };
