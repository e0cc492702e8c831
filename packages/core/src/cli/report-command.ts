// `apitrace report <run-dir>`: read a run and print its summary.
import { groupProcessImages } from '../model/process-images.js';
import { readRun } from '../reader/run-reader.js';
import { formatRunSummary } from '../report/terminal-summary.js';

export async function summariseRun(runDir: string): Promise<string> {
  const run = await readRun(runDir);
  return formatRunSummary(run, groupProcessImages(run.files));
}
