// JS stacks from V8's structured call sites, turned into schema frames and deduplicated into
// `stack` records. Capturing is the expensive part (microseconds), so callers decide when to
// capture (see api-gate.ts); turning call sites into frames happens only for recorded spans.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeUnitOf } from './owning-package.js';

export interface Frame {
  lang: 'js';
  fn: string;
  file?: string;
  line?: number;
  col?: number;
  unit?: string;
}

// dist/src/ of this plugin: frames in here are ours, never the caller.
const PLUGIN_DIR = fileURLToPath(new URL('../', import.meta.url));

// The loader hooks the plugin installs (require-in-the-middle wraps every require) sit on
// the stack of everything loaded through them: their frames are ours too.
const requireHere = createRequire(import.meta.url);
const HOOK_LIBRARY_DIRS = ['require-in-the-middle', 'import-in-the-middle'].flatMap((name) => {
  try {
    return [dirname(requireHere.resolve(`${name}/package.json`)) + '/'];
  } catch {
    return [];
  }
});

function isOursFile(file: string): boolean {
  return file.startsWith(PLUGIN_DIR) || HOOK_LIBRARY_DIRS.some((dir) => file.startsWith(dir));
}
export const MAX_STACK_FRAMES = 24;
const MAX_FRAMES = MAX_STACK_FRAMES;

const asCallSites = (_err: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] => sites;

/** Frames captured only to find the caller of a call that will be counted, not recorded. */
export const CALLER_FRAMES = 10;

/**
 * The call sites above `skip` (a function on the stack, usually our wrapper), innermost first,
 * at most `limit` (capturing costs in proportion to it).
 * Error.prepareStackTrace and stackTraceLimit are the application's: they are swapped only for
 * the duration of one capture and restored even if V8 throws.
 */
export function captureCallSites(skip: Function, limit = MAX_FRAMES): NodeJS.CallSite[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = asCallSites;
    Error.stackTraceLimit = limit;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, skip);
    const sites = holder.stack;
    return Array.isArray(sites) ? (sites as NodeJS.CallSite[]) : [];
  } catch {
    return [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/** The file of a call site as a path (ESM frames carry file: URLs), or undefined for natives. */
export function siteFile(site: NodeJS.CallSite): string | undefined {
  const name = site.getFileName() ?? site.getScriptNameOrSourceURL?.();
  if (!name) return undefined;
  return name.startsWith('file://') ? pathOfFileUrl(name) : name;
}

const pathsOfUrls = new Map<string, string>();

function pathOfFileUrl(url: string): string {
  let path = pathsOfUrls.get(url);
  if (path === undefined) {
    try {
      path = fileURLToPath(url);
    } catch {
      path = url;
    }
    if (pathsOfUrls.size < 100_000) pathsOfUrls.set(url, path);
  }
  return path;
}

/** This plugin's own code. */
export function isPluginFile(file: string | undefined): boolean {
  return file !== undefined && isOursFile(file);
}

/**
 * Calls that are not the application's: made by this plugin (the first frame that is not
 * Node's is ours: a loader hook reading its cache), or by Node's module loader reading the
 * sources it loads (node:internal/modules below the first JS frame; code_unit records cover that).
 * `loaderCounts`: the loader's call is the application's all the same (process.dlopen of an
 * addon the application required).
 */
export function isOwnOrLoaderCall(sites: readonly NodeJS.CallSite[], loaderCounts = false): boolean {
  for (const site of sites) {
    const file = siteFile(site);
    // the loader anywhere below the first frame of JS code (its readFileSync calling openSync)
    if (!loaderCounts && file !== undefined && file.startsWith('node:internal/modules/')) return true;
    // the hook libraries sit on every require's stack: only our own code makes a call ours
    if (file === undefined || file.startsWith('node:') || (isOursFile(file) && !file.startsWith(PLUGIN_DIR))) continue;
    return file.startsWith(PLUGIN_DIR);
  }
  return false;
}

/** Node's own code and this plugin's: never the caller of an API. */
export function isInternalFile(file: string | undefined): boolean {
  return file === undefined || file.startsWith('node:') || isOursFile(file);
}

/**
 * The first frame that is neither Node's nor ours (nor under `skipUnder`, e.g. a database
 * driver's own directory when the interesting caller is the code that called the driver).
 */
export function callerSite(sites: readonly NodeJS.CallSite[], skipUnder?: string): { site: NodeJS.CallSite; file: string } | undefined {
  for (const site of sites) {
    const file = siteFile(site);
    if (isInternalFile(file)) continue;
    if (skipUnder !== undefined && file!.startsWith(skipUnder)) continue;
    return { site, file: file! };
  }
  return undefined;
}

/** The code unit (package root) of the caller frame (see callerSite). */
export function callerUnit(sites: readonly NodeJS.CallSite[], skipUnder?: string): string | undefined {
  const caller = callerSite(sites, skipUnder);
  return caller === undefined ? undefined : codeUnitOf(caller.file);
}

function frameOf(site: NodeJS.CallSite): Frame {
  const file = siteFile(site);
  const type = site.getTypeName();
  const method = site.getFunctionName() ?? site.getMethodName();
  const fn = method ? (type && site.getMethodName() && !site.isToplevel() ? `${type}.${method}` : method) : '?';
  const frame: Frame = { lang: 'js', fn };
  if (file !== undefined) {
    frame.file = file;
    frame.unit = file.startsWith('/') ? codeUnitOf(file) : file;
  }
  const line = site.getLineNumber();
  const col = site.getColumnNumber();
  if (line !== null && line >= 0) frame.line = line;
  if (col !== null && col >= 0) frame.col = col;
  return frame;
}

/** Frames from the first frame that is not ours (Node's internal frames stay: they show the path in). */
export function framesOf(sites: readonly NodeJS.CallSite[]): { frames: Frame[]; truncated: boolean } {
  const frames: Frame[] = [];
  for (const site of sites) {
    const file = siteFile(site);
    if (file !== undefined && isOursFile(file)) continue;
    frames.push(frameOf(site));
  }
  return { frames, truncated: sites.length >= MAX_FRAMES };
}

const MAX_STACKS = 20_000;

/** Distinct stacks of one event file: ids from 1, each written once before its first use. */
export class StackTable {
  private readonly ids = new Map<string, number>();

  constructor(private readonly emit: (record: { kind: 'stack'; id: number; frames: Frame[]; truncated?: boolean }) => void) {}

  /** The id of these frames' stack, writing the stack record on first sight; undefined past the bound. */
  idOf(frames: Frame[], truncated: boolean): number | undefined {
    const key = frames.map((f) => `${f.fn}@${f.file ?? ''}:${f.line ?? ''}:${f.col ?? ''}`).join('|');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.ids.size >= MAX_STACKS) return undefined;
    const id = this.ids.size + 1;
    this.ids.set(key, id);
    this.emit(truncated ? { kind: 'stack', id, frames, truncated } : { kind: 'stack', id, frames });
    return id;
  }
}
