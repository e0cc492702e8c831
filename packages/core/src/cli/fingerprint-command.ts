// `apitrace fingerprint <run-dir> [-o FILE]`: the run's behavioural fingerprint (canonical JSON).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildAppModel } from '../model/app-model.js';
import { computeFingerprint, fingerprintJson } from '../fingerprint/fingerprint.js';
import { analysisProgress } from './analysis-progress.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

export async function fingerprintOfRun(runDir: string): Promise<string> {
  const progress = analysisProgress();
  try {
    return fingerprintJson(computeFingerprint(await buildAppModel(runDir, { progress: progress.report })));
  } finally {
    progress.done();
  }
}

export function writeOutput(path: string | undefined, text: string): void {
  if (path === undefined || path === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`, 'choose another -o path', EXIT_USAGE);
  }
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
