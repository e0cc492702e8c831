// A worker thread's share of a run: reads the event files of some pids into its own collector
// and posts back what it gathered (model/parallel-collect.ts starts it). Parsing JSON is most of
// the cost of an analysis; pids never share spans, so they can be read apart and merged.
import { parentPort, workerData } from 'node:worker_threads';
import { readRun } from '../reader/run-reader.js';
import { RunCollector } from './run-collector.js';
import type { CollectLimits } from './collect-limits.js';

export interface CollectWorkerInput {
  dir: string;
  files: string[];
  maxCalls: number;
  /** this worker's share: 1, 2, ... (frame list ids must not collide between workers) */
  share: number;
  digests: boolean;
  /** the collector's allowances (default COLLECT_LIMITS); each worker keeps up to them, and so does the run */
  limits?: CollectLimits;
}

const input = workerData as CollectWorkerInput;
const port = parentPort!;
const wanted = new Set(input.files);
const collector = new RunCollector({ maxCalls: input.maxCalls, idBase: input.share * 2 ** 40, ...(input.limits ? { limits: input.limits } : {}) });
try {
  const contents = await readRun(input.dir, collector.visit, {
    languageFilesFirst: true,
    manifest: false,
    digests: input.digests,
    only: (file) => wanted.has(file.name),
    progress: (p) => port.postMessage({ kind: 'progress', records: p.records }),
  });
  port.postMessage({ kind: 'done', contents, collected: collector.export() });
} catch (err) {
  port.postMessage({ kind: 'failed', message: (err as Error).stack ?? String(err) });
}
