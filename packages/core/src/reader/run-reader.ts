// Reads every event file of a run directory, streaming and validating each record.
// A bad line is reported as `file:line: what is wrong` and skipped; nothing else is lost.
// The directory is written by the observed processes, so it is read as hostile: files are
// opened as untrusted-file.ts says, a line is capped (file-lines.ts), deep nesting is refused
// before parsing, and no problem quotes the content of a file that is not an event file.
import { createHash, type Hash } from 'node:crypto';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApitraceEvent, ProcessEnd, ProcessStart, Source } from '../schema/events.generated.js';
import { checkEvent, eventValidator, EVENT_SCHEMA_VERSION } from '../schema/event-validator.js';
import { parseEventFileName } from './event-file-name.js';
import { forEachLine, MAX_LINE_BYTES } from './file-lines.js';
import { instrumentedCommandPid, readRunManifest, RUN_MANIFEST_NAME, type RunManifest } from './run-manifest.js';
import { sealProblems } from './run-seal.js';
import { UntrustedFileError } from './untrusted-file.js';

export type ProblemSeverity = 'error' | 'warn' | 'info';

export interface RunProblem {
  severity: ProblemSeverity;
  /** `file:line`, `file`, or the run directory */
  where: string;
  message: string;
}

export interface EventFileSummary {
  path: string;
  name: string;
  pid: number;
  source: Source;
  seq: number;
  start?: ProcessStart;
  end?: ProcessEnd;
  records: number;
  rejected: number;
  /** the last line was cut off: the process ended abruptly */
  truncated: boolean;
  /** bytes read (the size when opened); with ReadRunOptions.digests, their SHA-256 */
  bytes?: number;
  sha256?: string;
}

export interface RunContents {
  dir: string;
  manifest?: RunManifest;
  files: EventFileSummary[];
  recordsByKind: Map<string, number>;
  problems: RunProblem[];
  /** problems beyond MAX_KEPT_PROBLEMS, counted but not kept */
  problemsNotKept: number;
  /** why the run is not as `apitrace run` sealed it (run-seal.ts); empty when it is */
  sealBroken: string[];
}

export type EventVisitor = (event: ApitraceEvent, file: EventFileSummary) => void;

/** The directory cannot be read as a run at all (missing, empty, not a run). */
export class RunDirectoryError extends Error {}

export const MAX_KEPT_PROBLEMS = 1000;

function listRunDirectory(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new RunDirectoryError(`${dir}: not a directory`);
    entries = readdirSync(dir);
  } catch (err) {
    if (err instanceof RunDirectoryError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : (err as Error).message;
    throw new RunDirectoryError(`${dir}: ${why}`);
  }
  if (entries.length === 0) throw new RunDirectoryError(`${dir}: the run directory is empty (nothing was recorded)`);
  return entries;
}

export function compareFiles(a: EventFileSummary, b: EventFileSummary): number {
  return a.pid - b.pid || a.source.localeCompare(b.source) || a.seq - b.seq;
}

export interface ReadRunOptions {
  /**
   * Within a pid, read its jvm and node files before its native ones, so that language spans
   * are known before the native events that join them (merge/native-into-spans.ts).
   */
  languageFilesFirst?: boolean;
  /** called after each file and every PROGRESS_EVERY records */
  progress?: (p: { files: number; filesTotal: number; records: number }) => void;
  /** read only these event files (a worker's share of a run); the others are not listed either */
  only?: (file: EventFileSummary) => boolean;
  /** read run.json (default true) */
  manifest?: boolean;
  /** hash each event file while reading it (default: when run.json holds a seal to check) */
  digests?: boolean;
  /** stack ids remembered per file (default MAX_CHECKED_STACK_IDS); tests make it small */
  checkedStackIds?: number;
}

/**
 * Stack ids remembered per file to check that records refer to defined stacks. Past them a file
 * is no longer checked (said once): the memory is bounded whatever the file holds.
 */
export const MAX_CHECKED_STACK_IDS = 1_000_000;

/** Deeper records are refused before parsing: the contract nests a few levels, not thousands. */
export const MAX_NESTING = 64;
/** A shorter line cannot nest deep enough to cost anything worth a scan. */
const NESTING_SCAN_FROM = 4096;

/**
 * Whether brackets nest deeper than `max`. Brackets inside strings do not count: a JVM method
 * descriptor of an array argument (`([Ljava/lang/String;)V`) opens one that never closes, and a
 * class with hundreds of such methods is an ordinary record.
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** V8's message for a parse failure quotes the text; keep only where it failed. */
function parseFailure(err: unknown): string {
  const position = /position (\d+)/.exec((err as Error).message)?.[1];
  return position === undefined ? 'not JSON' : `not JSON (at character ${position})`;
}

const PROGRESS_EVERY = 1 << 18;
const READ_ORDER_LANGUAGE_FIRST: Record<Source, number> = { jvm: 0, node: 1, native: 2 };

export async function readRun(dir: string, visit?: EventVisitor, options: ReadRunOptions = {}): Promise<RunContents> {
  const entries = listRunDirectory(dir);
  eventValidator();
  const contents: RunContents = { dir, files: [], recordsByKind: new Map(), problems: [], problemsNotKept: 0, sealBroken: [] };
  const report = (severity: ProblemSeverity, where: string, message: string): void => {
    if (contents.problems.length < MAX_KEPT_PROBLEMS) contents.problems.push({ severity, where, message });
    else contents.problemsNotKept++;
  };

  const hasManifest = entries.includes(RUN_MANIFEST_NAME);
  if (hasManifest && options.manifest !== false) {
    try {
      contents.manifest = readRunManifest(dir);
    } catch (err) {
      report('warn', join(dir, RUN_MANIFEST_NAME), `unreadable run manifest: ${(err as Error).message}`);
    }
  }
  for (const name of entries) {
    const parsed = parseEventFileName(name);
    if (parsed) contents.files.push({ path: join(dir, name), name, ...parsed, records: 0, rejected: 0, truncated: false });
  }
  if (contents.files.length === 0 && !hasManifest) {
    throw new RunDirectoryError(`${dir}: not an apitrace run directory (no event files and no ${RUN_MANIFEST_NAME})`);
  }
  contents.files.sort(compareFiles);
  if (contents.files.length === 0) report('warn', dir, 'no event files: no plugin recorded anything in this run');
  if (options.only) contents.files = contents.files.filter(options.only);

  const order = options.languageFilesFirst
    ? [...contents.files].sort((a, b) => a.pid - b.pid || READ_ORDER_LANGUAGE_FIRST[a.source] - READ_ORDER_LANGUAGE_FIRST[b.source] || a.seq - b.seq)
    : contents.files;
  const progress = options.progress;
  const digests = options.digests ?? contents.manifest?.seal !== undefined;
  let recordsBefore = 0;
  for (const [index, file] of order.entries()) {
    const onRecord = progress
      ? (records: number): void => {
          if ((records & (PROGRESS_EVERY - 1)) === 0) progress({ files: index, filesTotal: order.length, records: recordsBefore + records });
        }
      : undefined;
    await readEventFile(file, contents, report, visit, onRecord, digests, options.checkedStackIds ?? MAX_CHECKED_STACK_IDS);
    recordsBefore += file.records + file.rejected;
    progress?.({ files: index + 1, filesTotal: order.length, records: recordsBefore });
  }
  if (!options.only) checkRunSeal(contents);
  return contents;
}

/**
 * Compares the files read with the seal in run.json and adds what disagrees to the problems
 * and to sealBroken. Called once the whole run has been read (by one reader or several).
 */
export function checkRunSeal(contents: RunContents): void {
  const manifest = contents.manifest;
  if (!manifest) return;
  const found = contents.files.map((f) => ({
    name: f.name,
    pid: f.pid,
    bytes: f.bytes ?? lstatSync(f.path, { throwIfNoEntry: false })?.size ?? 0,
    ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }),
  }));
  const commandPid = instrumentedCommandPid(manifest);
  for (const problem of sealProblems({ seal: manifest.seal, files: found, ...(commandPid === undefined ? {} : { commandPid }) })) {
    const where = problem.name === '' ? contents.dir : join(contents.dir, problem.name);
    contents.sealBroken.push(`${where}: ${problem.message}`);
    if (contents.problems.length < MAX_KEPT_PROBLEMS) contents.problems.push({ severity: 'error', where, message: problem.message });
    else contents.problemsNotKept++;
  }
}

async function readEventFile(
  file: EventFileSummary,
  contents: RunContents,
  report: (severity: ProblemSeverity, where: string, message: string) => void,
  visit: EventVisitor | undefined,
  onRecord: ((records: number) => void) | undefined,
  digests: boolean,
  checkedStackIds: number,
): Promise<void> {
  const stacks: StackIds = { ids: new Set(), max: checkedStackIds, unchecked: false };
  const validate = eventValidator();
  let visitorFailure: unknown;
  const reject = (line: number, message: string, severity: ProblemSeverity = 'error'): void => {
    file.rejected++;
    report(severity, `${file.path}:${line}`, message);
  };
  /** a file whose first line is not a record is no event file: say so once, quote nothing */
  const notAnEventFile = (number: number): boolean => {
    if (number !== 1) return false;
    file.rejected++;
    report('error', file.path, 'not an event file: its first line is not an apitrace record; file skipped');
    return true;
  };
  const onLine = (text: string, number: number, complete: boolean): boolean => {
    let record: unknown;
    if (text.length > NESTING_SCAN_FROM && nestsDeeperThan(text, MAX_NESTING)) {
      if (notAnEventFile(number)) return false;
      reject(number, `nested deeper than ${MAX_NESTING} levels: skipped`);
      return true;
    }
    try {
      record = JSON.parse(text);
    } catch (err) {
      if (!complete) {
        file.truncated = true;
        reject(number, 'truncated final line: the process ended abruptly', 'warn');
      } else if (notAnEventFile(number)) {
        return false;
      } else {
        reject(number, text.trim() === '' ? 'empty line' : parseFailure(err));
      }
      return true;
    }
    if (number === 1 && (typeof record !== 'object' || record === null || Array.isArray(record)) && notAnEventFile(number)) return false;
    const version = record as { kind?: unknown; v?: unknown } | null;
    if (version?.kind === 'process_start' && version.v !== EVENT_SCHEMA_VERSION) {
      report(
        'error',
        `${file.path}:${number}`,
        `event contract version ${JSON.stringify(version.v)} is not supported (this apitrace reads v${EVENT_SCHEMA_VERSION}); file skipped`,
      );
      return false;
    }
    // the compiled validator alone on the hot path; the message is worked out only for a failure
    if (!validate(record)) {
      const checked = checkEvent(record);
      reject(number, checked.ok ? 'does not match the event schema' : checked.error);
      return true;
    }
    const event = record;
    const misplaced = checkPlacement(event, file, stacks, report, number);
    if (misplaced) {
      reject(number, misplaced);
      return true;
    }
    file.records++;
    kindCounts[event.kind] = (kindCounts[event.kind] ?? 0) + 1;
    if (event.kind === 'notice' && event.level !== 'info') {
      report(event.level, `${file.path}:${number}`, `${event.code}: ${event.message}${event.subject ? ` (${event.subject})` : ''}`);
    }
    onRecord?.(file.records);
    try {
      visit?.(event, file);
    } catch (err) {
      visitorFailure = err;
      return false;
    }
    return true;
  };
  // a plain object per file: cheaper per record than a Map update, folded in once at the end
  const kindCounts: Record<string, number> = {};
  const onOverlong = (number: number, bytes: number): boolean => {
    if (notAnEventFile(number)) return false;
    reject(number, `a line of ${bytes} bytes, longer than the ${MAX_LINE_BYTES}-byte limit: skipped`);
    return true;
  };
  let hash: Hash | undefined;
  if (digests) hash = createHash('sha256');
  try {
    const lines = await forEachLine(file.path, onLine, { onOverlong, ...(hash ? { onChunk: (chunk: Buffer) => hash.update(chunk) } : {}) });
    file.bytes = lines.size;
    // a file that was not read to its end has no digest: its size is still compared
    if (hash && lines.read === lines.size) file.sha256 = hash.digest('hex');
  } catch (err) {
    file.bytes = lstatSync(file.path, { throwIfNoEntry: false })?.size ?? 0;
    const why =
      err instanceof UntrustedFileError ? `skipped: it ${err.message}` : `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    report('error', file.path, why);
  }
  for (const [kind, n] of Object.entries(kindCounts)) contents.recordsByKind.set(kind, (contents.recordsByKind.get(kind) ?? 0) + n);
  // A failing visitor is a bug of the analysis, not damage in the file: it must not pass as one.
  if (visitorFailure !== undefined) throw visitorFailure;
  if (file.records > 0 && !file.start) report('error', file.path, 'no process_start record: process identity unknown');
}

/** The stack ids a file defined so far; `unchecked` once there were too many to remember. */
interface StackIds {
  ids: Set<number>;
  max: number;
  unchecked: boolean;
}

/**
 * Checks what the schema cannot express: record order within a file. Returns why the record
 * must be rejected, or undefined; oddities that lose nothing go to `warn`.
 */
function checkPlacement(
  event: ApitraceEvent,
  file: EventFileSummary,
  stacks: StackIds,
  report: (severity: ProblemSeverity, where: string, message: string) => void,
  line: number,
): string | undefined {
  switch (event.kind) {
    case 'process_start':
      if (file.start || file.records > 0) return 'process_start must be the first and only one in a file';
      if (event.pid !== file.pid || event.source !== file.source) {
        return `process_start says ${event.source} pid ${event.pid} but the file name says ${file.source} pid ${file.pid}`;
      }
      file.start = event;
      return undefined;
    case 'process_end':
      file.end = event;
      return undefined;
    case 'stack':
      if (stacks.ids.size < stacks.max) stacks.ids.add(event.id);
      else if (!stacks.unchecked && !stacks.ids.has(event.id)) {
        stacks.unchecked = true;
        report(
          'warn',
          `${file.path}:${line}`,
          `more than ${stacks.max.toLocaleString('en-US')} stack records in one file: references to the rest are not checked`,
        );
      }
      return undefined;
    default: {
      if (file.records === 0) report('warn', `${file.path}:${line}`, `${event.kind} before process_start (the first record must be process_start)`);
      const stack = 'stack' in event ? event.stack : undefined;
      // past the ids remembered, an unknown one may be one that was not remembered: no warning
      if (stack !== undefined && !stacks.unchecked && !stacks.ids.has(stack)) {
        report('warn', `${file.path}:${line}`, `${event.kind}: refers to stack ${stack}, which no earlier record defines`);
      }
      return undefined;
    }
  }
}
