// Reads what a run recorded, failing the test on any problem the reader found.
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { groupProcessImages, readRun, type ApitraceEvent, type ProcessImage, type RunContents } from '@apitrace/core';

export interface RecordedRun {
  run: RunContents;
  images: ProcessImage[];
  events: { file: string; event: ApitraceEvent }[];
}

export async function readValidRun(dir: string): Promise<RecordedRun> {
  const events: RecordedRun['events'] = [];
  const run = await readRun(dir, (event, file) => events.push({ file: file.name, event }));
  assert.deepEqual(run.problems, [], `the run in ${dir} has problems`);
  return { run, images: groupProcessImages(run.files), events };
}

/** The run directory `apitrace run` created under `<cwd>/.apitrace/runs/`. */
export function onlyRunDir(cwd: string): string {
  const runs = join(cwd, '.apitrace', 'runs');
  const entries = readdirSync(runs);
  assert.equal(entries.length, 1, `expected one run in ${runs}`);
  return join(runs, entries[0]!);
}
