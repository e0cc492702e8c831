// `apitrace fingerprint <run-dir> [-o FILE]`: the run's behavioural fingerprint (canonical JSON).
import type { Command } from 'commander';
import { buildAppModel } from '../model/build-app-model.js';
import { computeFingerprint, fingerprintJson } from '../fingerprint/fingerprint.js';
import { writeOutputFile } from '../output/output-file.js';
import { analysisProgress } from './analysis-progress.js';

export async function fingerprintOfRun(runDir: string): Promise<string> {
  const progress = analysisProgress();
  try {
    return fingerprintJson(computeFingerprint(await buildAppModel(runDir, { progress: progress.report })));
  } finally {
    progress.done();
  }
}

/**
 * `-o FILE` of the commands that print a document: stdout without one, with `-o -`, or with
 * `-o /dev/stdout` (a link the file writer would refuse to replace, but what the user means).
 */
export function writeOutput(path: string | undefined, text: string): void {
  if (path === undefined || path === '-' || path === '/dev/stdout') process.stdout.write(text);
  else writeOutputFile(path, text, 'choose another -o path, or -o - for stdout');
}

export function registerFingerprintCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('fingerprint')
    .description('print the behavioural fingerprint of a run: APIs per component, files, network, programs, web APIs, components')
    .argument('<run-dir>', 'a directory written by apitrace run (or by plugins with APITRACE_DIR)')
    .option('-o, --output <file>', 'write to this file instead of stdout (commit it as the baseline for apitrace diff)')
    .action(async (runDir: string, flags: { output?: string }) => {
      writeOutput(flags.output, await fingerprintOfRun(runDir));
      setStatus(0);
    });
}
