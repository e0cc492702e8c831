// Reads a run with several worker threads when it is big enough to pay for them: the event
// files are split into contiguous ranges of pids of about equal size, each worker collects its
// range, and the results are folded together in pid order, as one reader would have met them.
import { lstatSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseEventFileName } from '../reader/event-file-name.js';
import { checkRunSeal, compareFiles, MAX_KEPT_PROBLEMS, readRun, type ReadRunOptions, type RunContents } from '../reader/run-reader.js';
import { RunCollector, type CollectedRun } from './run-collector.js';
import type { CollectLimits } from './collect-limits.js';
import { helperWorkerOptions } from '../own/helper-threads.js';

/** Below this many bytes of events one thread is faster than starting workers. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
const MAX_WORKERS = 4;

export interface CollectOptions {
  maxCalls: number;
  /** worker threads to use (default 1); 'auto': the cores available (at most 4) for a big run */
  workers?: number | 'auto';
  progress?: ReadRunOptions['progress'];
  /** hash every event file (to seal the run); by default only to check a seal */
  digests?: boolean;
  /** the collector's allowances (default COLLECT_LIMITS) */
  limits?: CollectLimits;
}

interface PidGroup {
  pid: number;
  files: string[];
  bytes: number;
}

function pidGroups(dir: string): PidGroup[] {
  const groups = new Map<number, PidGroup>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    const parsed = parseEventFileName(name);
    if (!parsed) continue;
    let bytes: number;
    try {
      bytes = lstatSync(join(dir, name)).size;
    } catch {
      bytes = 0;
    }
    const group = groups.get(parsed.pid) ?? { pid: parsed.pid, files: [], bytes: 0 };
    group.files.push(name);
    group.bytes += bytes;
    groups.set(parsed.pid, group);
  }
  return [...groups.values()].sort((a, b) => a.pid - b.pid);
}

/** Contiguous pid ranges of roughly equal bytes, at most `count` of them. */
function shares(groups: PidGroup[], count: number): string[][] {
  const total = groups.reduce((n, g) => n + g.bytes, 0);
  const result: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const group of groups) {
    current.push(...group.files);
    bytes += group.bytes;
    if (bytes >= (total / count) * (result.length + 1) && result.length < count - 1) {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

function runWorker(
  dir: string,
  files: string[],
  maxCalls: number,
  share: number,
  digests: boolean,
  limits: CollectLimits | undefined,
  onRecords: (delta: number) => void,
): Promise<{ contents: RunContents; collected: CollectedRun }> {
  return new Promise((resolve, reject) => {
    const input = { dir, files, maxCalls, share, digests, ...(limits ? { limits } : {}) };
    const worker = new Worker(new URL('./collect-worker.js', import.meta.url), helperWorkerOptions(input));
    let seen = 0;
    worker.on('message', (message: { kind: string; records?: number; message?: string; contents?: RunContents; collected?: CollectedRun }) => {
      if (message.kind === 'progress') {
        onRecords(message.records! - seen);
        seen = message.records!;
      } else if (message.kind === 'done') {
        resolve({ contents: message.contents!, collected: message.collected! });
      } else {
        reject(new Error(message.message));
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`analysis worker exited with status ${code}`));
    });
  });
}

/** Reads the run into a collector, with worker threads when that pays. */
export async function collectRun(dir: string, options: CollectOptions): Promise<{ run: RunContents; collector: RunCollector }> {
  const collector = new RunCollector({ maxCalls: options.maxCalls, ...(options.limits ? { limits: options.limits } : {}) });
  const groups = pidGroups(dir);
  const bytes = groups.reduce((n, g) => n + g.bytes, 0);
  const wanted = options.workers === 'auto' ? (bytes >= PARALLEL_MIN_BYTES ? Math.min(availableParallelism(), MAX_WORKERS) : 1) : (options.workers ?? 1);
  const workers = Math.min(wanted, groups.length);
  if (workers <= 1) {
    const run = await readRun(dir, collector.visit, {
      languageFilesFirst: true,
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.digests === undefined ? {} : { digests: options.digests }),
    });
    return { run, collector };
  }

  // the listing, the manifest and the directory's own problems, without reading any event file
  const run = await readRun(dir, undefined, { only: () => false });
  const parts = shares(groups, workers);
  const filesTotal = parts.reduce((n, p) => n + p.length, 0);
  let records = 0;
  const onRecords = (delta: number): void => {
    records += delta;
    options.progress?.({ files: 0, filesTotal, records });
  };
  // each worker keeps its share of the individual calls: posting them back is what costs
  const callsPerWorker = Math.ceil(options.maxCalls / parts.length);
  const digests = options.digests ?? run.manifest?.seal !== undefined;
  const results = await Promise.all(parts.map((files, i) => runWorker(dir, files, callsPerWorker, i + 1, digests, options.limits, onRecords)));
  for (const { contents, collected } of results) {
    collector.absorb(collected);
    run.files.push(...contents.files);
    for (const [kind, n] of contents.recordsByKind) run.recordsByKind.set(kind, (run.recordsByKind.get(kind) ?? 0) + n);
    for (const problem of contents.problems) {
      if (run.problems.length < MAX_KEPT_PROBLEMS) run.problems.push(problem);
      else run.problemsNotKept++;
    }
    run.problemsNotKept += contents.problemsNotKept;
  }
  run.files.sort(compareFiles);
  checkRunSeal(run);
  options.progress?.({ files: filesTotal, filesTotal, records });
  return { run, collector };
}
