// `apitrace diff <base> <head> [--json] [--fail-on KINDS]`: behaviour drift between two runs or
// fingerprint files; with --fail-on it exits EXIT_DRIFT when a named kind gained something.
import type { Command } from 'commander';
import { diffFingerprints, diffJson, diffText, DRIFT_KINDS, failingKinds, parseFailOn, type DriftKind } from '../diff/fingerprint-diff.js';
import { FingerprintFileError, loadFingerprint, type LoadedFingerprint } from '../fingerprint/fingerprint-file.js';
import { RunDirectoryError } from '../reader/run-reader.js';
import { analysisProgress } from './analysis-progress.js';
import { UserError, EXIT_USAGE } from '../base/user-error.js';

/** A CI gate tripped: drift of a --fail-on kind, or findings at or above --fail-on severity. */
export const EXIT_GATE = 3;

const MAX_SEAL_LINES = 8;

async function fingerprintAt(path: string): Promise<LoadedFingerprint> {
  const progress = analysisProgress();
  try {
    return await loadFingerprint(path, { progress: progress.report });
  } catch (err) {
    if (err instanceof FingerprintFileError || err instanceof RunDirectoryError) {
      throw new UserError(`cannot read ${path}: ${err.message}`, 'give a run directory or a fingerprint.json written by apitrace', EXIT_USAGE);
    }
    throw err;
  } finally {
    progress.done();
  }
}

export function registerDiffCommand(program: Command, setStatus: (status: number) => void, warn: (line: string) => void): void {
  program
    .command('diff')
    .description('show behaviour drift between two runs (or fingerprint files): what each category gained and lost')
    .argument('<base>', 'the baseline: a run directory or a fingerprint file')
    .argument('<head>', 'the new run: a run directory or a fingerprint file')
    .option('--json', 'print the drift as JSON')
    .option('--fail-on <kinds>', `exit ${EXIT_GATE} when any of these gained something: any, or a comma list of ${DRIFT_KINDS.join(', ')}`)
    .action(async (base: string, head: string, flags: { json?: boolean; failOn?: string }) => {
      let failOn: DriftKind[] = [];
      if (flags.failOn !== undefined) {
        try {
          failOn = parseFailOn(flags.failOn);
        } catch (err) {
          throw new UserError(`--fail-on: ${(err as Error).message}`, `use any, or some of ${DRIFT_KINDS.join(',')}`, EXIT_USAGE);
        }
      }
      const [before, after] = [await fingerprintAt(base), await fingerprintAt(head)];
      const diff = diffFingerprints(before.fingerprint, after.fingerprint);
      const sealBroken = [...before.sealBroken, ...after.sealBroken];
      for (const line of sealBroken.slice(0, MAX_SEAL_LINES)) warn(`apitrace: ${line}`);
      if (sealBroken.length > MAX_SEAL_LINES) warn(`apitrace: and ${sealBroken.length - MAX_SEAL_LINES} more changes to the runs since they ended`);
      const failed = failingKinds(diff, failOn);
      const labels = { base, head };
      process.stdout.write(flags.json ? diffJson(diff, labels, failed) : diffText(diff, labels));
      if (failed.length > 0)
        warn(
          `apitrace: drift: new ${failed.map((k) => k.replace(/^new-/, '')).join(', ')} behaviour since ${base} (review it; when intended, commit the new fingerprint as the baseline)`,
        );
      // a gate fails closed: drift measured on files changed after the run proves nothing
      if (failOn.length > 0 && sealBroken.length > 0 && failed.length === 0) {
        warn(
          'apitrace: drift gate: the runs are not as apitrace sealed them, so the absence of drift cannot be trusted (re-run the command with apitrace run; keep the run directory where the observed processes cannot write after they end)',
        );
        setStatus(EXIT_GATE);
        return;
      }
      setStatus(failed.length > 0 ? EXIT_GATE : 0);
    });
}
