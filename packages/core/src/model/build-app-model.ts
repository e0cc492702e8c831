// buildAppModel: reads a run directory once, streaming, and returns the AppModel
// (model/app-model.ts explains the steps and the guarantees). This file does the steps after
// reading: identities (components/), usage states, dependency edges, the installed set.
import { basename, isAbsolute } from 'node:path';
import { collectRun } from './parallel-collect.js';
import { COLLECT_LIMITS, notKeptProblems, type LimitKind, type NotKept } from './collect-limits.js';
import { ComponentCatalog, type ComponentDraft } from '../components/component-catalog.js';
import { dependencyEdges, installedNpmRoots } from '../components/installed-set.js';
import { isApitraceFile, isPluginDependency } from '../own/apitrace-own.js';
import type { CodeUnitFacts } from '../components/component-catalog.js';
import type {
  AppModel,
  AppModelOptions,
  Component,
  ComponentApiUsage,
  ComponentFunction,
  DependencyEdge,
  MergedStack,
  ModelCall,
  ModelFrame,
  ModelNotice,
  NativeSymbolUse,
  UsageState,
  WebApiUsage,
} from './app-model.js';
import { groupProcessImages } from './process-images.js';
import { buildProcessTree } from './process-tree.js';
import type { FunctionFacts, RunCollector, UsageAggregate } from './run-collector.js';
import { nativeFrames } from '../merge/native-into-spans.js';
import { nameFrames, nameSites, type SiteNames } from '../symbols/native-symbolizer.js';

const DEFAULT_MAX_CALLS = 100_000;

/** API namespaces whose calls mean code of a particular library ran (libc:open runs libc). */
const LIBRARY_OF_NAMESPACE: Record<string, string> = {
  libc: 'libc.so',
  openssl: 'libssl.so',
  libssl: 'libssl.so',
  libcrypto: 'libcrypto.so',
  zlib: 'libz.so',
  sqlite3: 'libsqlite3.so',
  sqlite: 'libsqlite3.so',
  pthread: 'libc.so',
  dl: 'libc.so',
};

/** API namespaces of the language emitters; every other one names a native library's function. */
const LANGUAGE_NAMESPACES = new Set(['node', 'npm', 'java', 'jvm']);

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function buildAppModel(runDir: string, options: AppModelOptions = {}): Promise<AppModel> {
  const limits = options.limits ?? COLLECT_LIMITS;
  const { run, collector } = await collectRun(runDir, {
    maxCalls: options.maxCalls ?? DEFAULT_MAX_CALLS,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.digests === undefined ? {} : { digests: options.digests }),
  });
  options.read?.(run);
  const images = groupProcessImages(run.files);
  const { processes, idOfImage } = buildProcessTree(images);
  const processOfFile = new Map<string, string>();
  for (const image of images) for (const f of image.files) processOfFile.set(f.name, idOfImage.get(image)!);
  const processesOf = (files: Iterable<string>): string[] =>
    [...new Set([...files].map((f) => processOfFile.get(f)).filter((p): p is string => p !== undefined))].sort(byString);

  const catalog = new ComponentCatalog({
    ignore: (path) => ownPaths.has(path) || isApitraceFile(path),
    ...(options.dpkgRoot ? { dpkgRoot: options.dpkgRoot } : {}),
    ...(options.hashFiles === undefined ? {} : { hashFiles: options.hashFiles }),
    maxComponents: limits.components.entries,
  });
  // apitrace's own pieces loaded into the processes are not part of the application; the
  // plugin's dependencies count as its own when they were loaded before any application module
  const firstAppModule = Math.min(
    ...[...collector.units.values()]
      .filter((u) => u.unit === 'module' && u.loaded && u.package && !u.package.root.split('/').includes('node_modules') && !isApitraceFile(u.path))
      .map((u) => u.firstT ?? Infinity),
  );
  const isOwn = (u: CodeUnitFacts): boolean =>
    isApitraceFile(u.path) || (u.package !== undefined && isPluginDependency(u.package.root) && (u.firstT ?? Infinity) < firstAppModule);
  const ownPaths = new Set<string>();
  for (const u of collector.units.values()) {
    if (!isOwn(u)) continue;
    ownPaths.add(u.path);
    if (u.package) ownPaths.add(u.package.root);
  }
  // a unit that is no file (`[eval]-wrapper`, `node:fs`) names no component
  const units = [...collector.units.values()]
    .filter((u) => !ownPaths.has(u.path) && (isAbsolute(u.path) || (u.package !== undefined && isAbsolute(u.package.root))))
    .sort((a, b) => byString(a.path, b.path));
  for (const unit of units) catalog.addCodeUnit(unit);

  // The runtimes: glibc from native process_start (its libc.so), node and the JVM from their exe.
  const libcPath = units.find((u) => /^libc\.so/.test(basename(u.path)))?.path;
  const runtimeUsers = new Map<ComponentDraft, Set<string>>();
  for (const process of processes) {
    for (const rt of process.runtimes) {
      const draft = catalog.addRuntime(rt.name, rt.version, rt.source === 'native' ? undefined : process.exe, libcPath);
      const files = runtimeUsers.get(draft) ?? new Set<string>();
      process.files.forEach((f) => files.add(f));
      runtimeUsers.set(draft, files);
      if (rt.source !== 'native') draft.used = true;
    }
  }
  for (const [draft, files] of runtimeUsers) files.forEach((f) => draft.files.add(f));
  // A program no package manager owns, run as a process, is the application (or part of it).
  for (const process of processes) {
    const draft = process.exe ? catalog.componentOfPath(process.exe) : undefined;
    if (draft && draft.kind === 'native' && !draft.debian) draft.kind = 'application';
  }

  // Installed but maybe never loaded: the node_modules of the application roots (the package.json
  // of modules outside node_modules). Not the cwd: a program run from elsewhere is not its app.
  const appRoots = new Set<string>();
  for (const draft of catalog.drafts.values()) if (draft.kind === 'application') draft.npmRoots.forEach((r) => appRoots.add(r));
  for (const root of installedNpmRoots([...appRoots].sort())) catalog.addInstalledNpmPackage(root);

  // Usage: the caller of an API ran; so did the library the API belongs to.
  const markUsed = (draft: ComponentDraft | undefined, count: number, first: number, last: number, stack: MergedStack | undefined): void => {
    if (!draft) return;
    draft.used = true;
    draft.counts.apiCalls += count;
    if (Number.isFinite(first)) {
      if (draft.firstUse === undefined || first < draft.firstUse.t) draft.firstUse = { t: first, ...(stack ? { stack } : {}) };
      draft.firstSeen = Math.min(draft.firstSeen ?? Infinity, first);
      draft.lastSeen = Math.max(draft.lastSeen ?? -Infinity, last);
    }
  };
  // most usages were seen in one file: they share its list of processes (nothing changes them)
  const processesOfFile = new Map<string, string[]>();
  const processesOfUsage = (usage: UsageAggregate): string[] => {
    if (typeof usage.files !== 'string') return processesOf(usage.files);
    let processes = processesOfFile.get(usage.files);
    if (!processes) {
      processes = processesOf([usage.files]);
      processesOfFile.set(usage.files, processes);
    }
    return processes;
  };
  const apiUsages: ComponentApiUsage[] = [];
  const libraryOfApi = libraryFinder(catalog);
  const usages = [...collector.usages.values()].sort(
    (a, b) => byString(a.caller, b.caller) || byString(a.api, b.api) || byString(a.subject ?? '', b.subject ?? ''),
  );
  for (const usage of usages) {
    const count = Math.max(usage.usageCount, usage.callCount);
    const caller = usage.caller === '' ? undefined : catalog.componentOfPath(usage.caller);
    const firstStack = usage.firstStack ?? {
      frames: nativeFrames({ pid: 0, t: usage.firstT, api: usage.api, ...(usage.caller ? { caller: usage.caller } : {}) }),
      join: 'none' as const,
    };
    markUsed(caller, count, usage.firstT, usage.lastT, firstStack);
    const library = libraryOfApi(usage.api);
    if (library && library !== caller) markUsed(library, 0, usage.firstT, usage.lastT, firstStack);
    apiUsages.push(toApiUsage(usage, caller?.ref ?? (usage.caller ? `unknown:${usage.caller}` : 'unknown:'), count, processesOfUsage(usage)));
  }
  for (const unit of [...collector.frameUnits].sort(byString)) {
    const draft = catalog.componentOfPath(unit);
    if (draft) draft.used = true;
  }
  // Native frames are named now that every calling site of the run is known: each unit's file is
  // read once, for the sites it has (symbols/).
  const siteNames = nameSites(collector.nativeSites);
  const nativeSymbols = nativeSymbolUses(catalog, usages, siteNames);
  // Functions: from the inventories of the component's units.
  const functionTotals = new Map<ComponentDraft, { used: number; total: number; hits: number }>();
  const functionLists = new Map<ComponentDraft, ComponentFunction[]>();
  for (const [unit, inventory] of [...collector.inventories].sort(([a], [b]) => byString(a, b))) {
    const draft = catalog.componentOfPath(unit);
    if (!draft) continue;
    const totals = functionTotals.get(draft) ?? { used: 0, total: 0, hits: 0 };
    const list = functionLists.get(draft) ?? [];
    for (const [key, facts] of inventory) {
      totals.total++;
      if (facts.ran) {
        totals.used++;
        totals.hits += facts.hits > 0 ? facts.hits : 1;
      }
      list.push(inventoryFunction(unit, key, facts));
    }
    functionTotals.set(draft, totals);
    functionLists.set(draft, list);
    if (totals.used > 0) draft.used = true;
  }

  // The application runs on the runtimes of its processes (node, the JVM, glibc).
  const runtimeEdges: DependencyEdge[] = [];
  for (const app of catalog.drafts.values()) {
    if (app.kind !== 'application') continue;
    for (const [runtime, files] of runtimeUsers) {
      if (runtime !== app && [...app.files].some((f) => files.has(f))) runtimeEdges.push({ from: app.ref, to: runtime.ref, kind: 'runtime' });
    }
  }
  const dependencies = [...dependencyEdges(catalog), ...runtimeEdges].sort(
    (a, b) => byString(a.from, b.from) || byString(a.to, b.to) || byString(a.kind, b.kind),
  );

  // Frames name units by path; the model names their components too, and the functions of
  // native frames.
  const refOfUnit = (unit: string | undefined): string | undefined => (unit === undefined ? undefined : catalog.componentOfPath(unit)?.ref);
  // Stacks are shared between records (run-collector interns them): convert each once.
  const converted = new Map<MergedStack, MergedStack>();
  const withComponents = (stack: MergedStack | undefined): MergedStack | undefined => {
    if (!stack) return undefined;
    let done = converted.get(stack);
    if (!done) {
      done = {
        ...stack,
        frames: nameFrames(stack.frames, siteNames).map((f): ModelFrame => {
          const ref = refOfUnit(f.unit);
          return ref ? { ...f, component: ref } : f;
        }),
      };
      converted.set(stack, done);
    }
    return done;
  };
  for (const u of apiUsages) u.stacks = u.stacks.map((s) => withComponents(s)!);

  const components: Component[] = [...catalog.drafts.values()]
    .map((draft) => {
      const totals = functionTotals.get(draft);
      const usage: UsageState = draft.used ? 'used' : draft.loadedSeen ? 'loaded' : 'installed';
      if (totals) draft.counts.functionHits = totals.hits;
      const first = draft.firstUse?.stack;
      return {
        ref: draft.ref,
        kind: draft.kind,
        ...(draft.group ? { group: draft.group } : {}),
        name: draft.name,
        ...(draft.version ? { version: draft.version } : {}),
        ...(draft.purl ? { purl: draft.purl } : {}),
        identifiedBy: draft.identifiedBy,
        ...(draft.hashes ? { hashes: draft.hashes } : {}),
        ...(draft.debian ? { debian: draft.debian } : {}),
        paths: [...draft.paths].sort(byString),
        usage,
        counts: { ...draft.counts },
        ...(draft.firstSeen === undefined || !Number.isFinite(draft.firstSeen) ? {} : { firstSeen: draft.firstSeen }),
        ...(draft.lastSeen === undefined || !Number.isFinite(draft.lastSeen) ? {} : { lastSeen: draft.lastSeen }),
        ...(totals ? { functions: { used: totals.used, total: totals.total } } : {}),
        ...(functionLists.has(draft) ? { functionInventory: functionLists.get(draft)!.sort(byFunction) } : {}),
        ...(first ? { firstUseStack: withComponents(first)! } : {}),
        processes: processesOf(draft.files),
      };
    })
    .sort((a, b) => byString(a.ref, b.ref));

  const calls = sortCalls(collector.calls, processOfFile, withComponents, refOfUnit);
  const webApis: WebApiUsage[] = [...collector.webApis.values()]
    .map(({ files, ...web }) => {
      const ref = refOfUnit(web.component);
      const stack = withComponents(web.stack);
      const { component: _caller, stack: _stack, ...rest } = web;
      return { ...rest, ...(ref ? { component: ref } : {}), processes: processesOf(files), ...(stack ? { stack } : {}) };
    })
    .sort((a, b) => byString(webKey(a), webKey(b)));
  const notices: ModelNotice[] = [...collector.notices.values()]
    .map(({ files, ...n }) => ({ ...n, processes: processesOf(files) }))
    .sort((a, b) => byString(a.source, b.source) || byString(a.level, b.level) || byString(a.code, b.code) || byString(a.subject ?? '', b.subject ?? ''));

  // what did not fit the allowances, said once per kind (the problems list is the reader's, a
  // summary of it included: these few go in whatever it holds)
  const notKept: Partial<Record<LimitKind, NotKept>> = collector.notKept();
  if (catalog.componentsNotKept > 0) notKept.components = { refused: catalog.componentsNotKept, reached: 'entries' };
  run.problems.push(...notKeptProblems(notKept, limits, runDir));

  const walls = processes.filter((p) => p.startWall !== undefined && p.startT !== undefined).sort((a, b) => a.startT! - b.startT!);
  const first = walls[0];
  const started = run.manifest?.started ?? first?.startWall;
  return {
    modelVersion: 1,
    run: {
      dir: runDir,
      ...(run.manifest ? { manifest: run.manifest } : {}),
      ...(started ? { started } : {}),
      ...(run.manifest?.ended ? { ended: run.manifest.ended } : {}),
      ...(run.manifest?.exit_status === undefined ? {} : { exitStatus: run.manifest.exit_status }),
      ...(first ? { clock: { t: first.startT!, wall: first.startWall! } } : {}),
    },
    processes,
    components,
    dependencies,
    apiUsages,
    calls,
    webApis,
    notices,
    ownPaths: [...collector.ownPaths].sort(byString),
    nativeSymbols,
    problems: run.problems,
    stats: {
      files: run.files.length,
      records: run.files.reduce((n, f) => n + f.records, 0),
      recordsByKind: Object.fromEntries([...run.recordsByKind].sort(([a], [b]) => byString(a, b))),
      rejected: run.files.reduce((n, f) => n + f.rejected, 0),
      truncatedFiles: run.files.filter((f) => f.truncated).length,
      callsNotKept: collector.callsNotKept,
      joins: { ...collector.joins },
      ...(Object.keys(notKept).length === 0 ? {} : { notKept: Object.fromEntries(Object.entries(notKept).map(([kind, n]) => [kind, n.refused])) }),
    },
  };
}

/** An inventory entry from the collector's key (`scope\0name\0line\0sig`, run-collector.ts). */
function inventoryFunction(unit: string, key: string, facts: FunctionFacts): ComponentFunction {
  const [scope = '', name = '', line = '', sig = ''] = key.split('\0');
  return {
    unit,
    ...(scope ? { scope } : {}),
    name,
    ...(line ? { line: Number(line) } : {}),
    ...(sig ? { sig } : {}),
    ran: facts.ran,
    hits: facts.hits,
  };
}

function byFunction(a: ComponentFunction, b: ComponentFunction): number {
  return (
    byString(a.unit, b.unit) ||
    byString(a.scope ?? '', b.scope ?? '') ||
    byString(a.name, b.name) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    byString(a.sig ?? '', b.sig ?? '')
  );
}

/**
 * The component whose code an API id names: `npm:<package>.<fn>`, or a library by namespace,
 * found once per namespace: every usage would otherwise walk every component. Sonames are all
 * known before usages are looked at (components made meanwhile, for callers, have none).
 */
function libraryFinder(catalog: ComponentCatalog): (api: string) => ComponentDraft | undefined {
  const ofNamespace = new Map<string, ComponentDraft | undefined>();
  return (api) => {
    const namespace = api.slice(0, api.indexOf(':'));
    if (namespace === 'npm') return npmPackageOf(catalog, api.slice(namespace.length + 1));
    if (!ofNamespace.has(namespace)) ofNamespace.set(namespace, libraryOfNamespace(catalog, namespace));
    return ofNamespace.get(namespace);
  };
}

/** The package an npm API id (`<package>.<fn>`) names: the longest package name it starts with. */
function npmPackageOf(catalog: ComponentCatalog, rest: string): ComponentDraft | undefined {
  let best: ComponentDraft | undefined;
  for (const draft of catalog.drafts.values()) {
    if (draft.kind !== 'npm' && draft.kind !== 'application') continue;
    if (rest.startsWith(`${draft.name}.`) && (!best || draft.name.length > best.name.length)) best = draft;
  }
  return best;
}

function libraryOfNamespace(catalog: ComponentCatalog, namespace: string): ComponentDraft | undefined {
  const prefix = LIBRARY_OF_NAMESPACE[namespace] ?? `lib${namespace}.so`;
  for (const draft of catalog.drafts.values()) {
    for (const soname of draft.sonames) if (soname.startsWith(prefix)) return draft;
  }
  return undefined;
}

/** Per native component, its functions called through the hooks and its functions seen calling. */
function nativeSymbolUses(catalog: ComponentCatalog, usages: readonly UsageAggregate[], siteNames: SiteNames): NativeSymbolUse[] {
  const byRef = new Map<string, { called: Set<string>; calling: Set<string> }>();
  const useOf = (ref: string): { called: Set<string>; calling: Set<string> } => {
    let use = byRef.get(ref);
    if (!use) {
      use = { called: new Set(), calling: new Set() };
      byRef.set(ref, use);
    }
    return use;
  };
  for (const usage of usages) {
    const colon = usage.api.indexOf(':');
    if (LANGUAGE_NAMESPACES.has(usage.api.slice(0, colon))) continue;
    const library = libraryOfNamespace(catalog, usage.api.slice(0, colon));
    if (library) useOf(library.ref).called.add(usage.api.slice(colon + 1));
  }
  for (const [site, names] of siteNames) {
    const draft = catalog.componentOfPath(site.slice(0, site.indexOf('\0')));
    if (draft) names.forEach((name) => useOf(draft.ref).calling.add(name));
  }
  return [...byRef]
    .map(([component, use]) => ({ component, called: [...use.called].sort(byString), calling: [...use.calling].sort(byString) }))
    .sort((a, b) => byString(a.component, b.component));
}

function toApiUsage(usage: UsageAggregate, component: string, count: number, processes: string[]): ComponentApiUsage {
  return {
    component,
    api: usage.api,
    category: usage.category,
    ...(usage.subject === undefined ? {} : { subject: usage.subject }),
    flags: usage.flags ? [...usage.flags].sort(byString) : [],
    count,
    firstT: usage.firstT,
    lastT: usage.lastT,
    processes,
    stacks: usage.firstStack ? [usage.firstStack, ...usage.stacks] : [...usage.stacks],
  };
}

function webKey(w: WebApiUsage): string {
  return [w.direction, w.method, w.host ?? '', w.route, String(w.status ?? '').padStart(3, '0')].join('\0');
}

function sortCalls(
  collected: RunCollector['calls'],
  processOfFile: Map<string, string>,
  withComponents: (s: MergedStack | undefined) => MergedStack | undefined,
  refOfUnit: (unit: string | undefined) => string | undefined,
): ModelCall[] {
  // the process of each call ranked once (in the same string order): the sort compares numbers
  const ordered = [...collected].map((c) => ({ c, process: processOfFile.get(c.file) ?? c.file, rank: 0 }));
  const processes = [...new Set(ordered.map((o) => o.process))].sort(byString);
  const rankOf = new Map(processes.map((p, i) => [p, i]));
  for (const o of ordered) o.rank = rankOf.get(o.process)!;
  ordered.sort((a, b) => a.rank - b.rank || a.c.t0 - b.c.t0 || a.c.tid - b.c.tid || a.c.serial - b.c.serial);
  const indexOfSerial = new Map<number, number>();
  ordered.forEach(({ c }, i) => indexOfSerial.set(c.serial, i));
  return ordered.map(({ c, process }) => {
    // the call's own fields copied in their order, then the model's: what an object rest and
    // spreads made, without their generic (and, for 100,000 calls, costly) copying
    const call: Record<string, unknown> = { process };
    for (const key in c) {
      if (key !== 'file' && key !== 'serial' && key !== 'parentSerial' && key !== 'stack') call[key] = c[key as keyof typeof c];
    }
    const parent = c.parentSerial === undefined ? undefined : indexOfSerial.get(c.parentSerial);
    const merged = withComponents(c.stack);
    const component = refOfUnit(c.caller);
    if (component) call['component'] = component;
    if (merged) call['stack'] = merged;
    if (parent !== undefined) call['parentCall'] = parent;
    return call as unknown as ModelCall;
  });
}
