// `apitrace vex <run-dir>... --advisories <path>... [-f openvex|cyclonedx] [-o FILE]
//  [--fail-on affected] [--functions FILE] [--min-coverage PERCENT]`: for every advisory on a
// component the runs saw, what the runs say (vex/verdicts.ts), as OpenVEX 0.2.0 or CycloneDX
// 1.6 VEX, validated. A bad advisory file is one line on stderr and the rest is still read;
// only when nothing at all could be read is it an error (exit 2).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { analysisProgress } from './analysis-progress.js';
import { UserError } from '../base/user-error.js';
import { EXIT_GATE } from './diff-command.js';
import { writeOutput } from './fingerprint-command.js';
import { observeRuns, renderVex, VEX_FORMATS, vexVerdicts, type VexFormat } from '../vex/vex-files.js';

interface VexFlags {
  advisories: string[];
  format: VexFormat;
  output?: string;
  failOn?: 'affected';
  functions?: string;
  minCoverage?: number;
  product?: string;
}

/** `--min-coverage 20` or `20%`: a percentage of a package's functions. */
export function parsePercent(text: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new InvalidArgumentError('give a percentage from 0 to 100, like 20 or 20%');
  }
  return value;
}

/** `--product`: an absolute IRI, in practice a purl. */
function parseProduct(text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(text) || text.length > 2048) throw new InvalidArgumentError('give an IRI such as pkg:oci/app@sha256:<digest>');
  return text;
}

export function registerVexCommand(program: Command, setStatus: (status: number) => void, warn: (line: string) => void): void {
  program
    .command('vex')
    .description(
      'say for every advisory on a component of the runs whether it was never loaded, loaded but its vulnerable functions never ran, or ran (OpenVEX or CycloneDX VEX)',
    )
    .argument('<run-dir...>', 'one or more run directories: together they are one observation')
    .requiredOption(
      '--advisories <path...>',
      'OSV records (a file, a folder or a zip of them), or osv-scanner / grype JSON reports, after the run directories; files only, nothing is fetched',
    )
    .addOption(new Option('-f, --format <format>', 'openvex (0.2.0 JSON) or cyclonedx (1.6 VEX JSON)').choices([...VEX_FORMATS]).default('openvex'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addOption(new Option('--fail-on <status>', `exit ${EXIT_GATE} when any statement has this status`).choices(['affected']))
    .option('--functions <file>', 'JSON file mapping advisory ids to their vulnerable functions (docs/vex.md)')
    .option(
      '--product <purl>',
      'OpenVEX: name the product the packages are part of (pkg:oci/name@sha256:... for grype image scans); each package becomes its subcomponent',
      parseProduct,
    )
    .option('--min-coverage <percent>', "below this share of a package's functions run, say under_investigation instead of not_affected", parsePercent)
    .action(async (runDirs: string[], flags: VexFlags) => {
      const progress = analysisProgress();
      let observation;
      try {
        observation = await observeRuns(runDirs, { progress: progress.report });
      } finally {
        progress.done();
      }
      const result = await vexVerdicts(observation, {
        advisories: flags.advisories,
        ...(flags.functions === undefined ? {} : { functions: flags.functions }),
        options: flags.minCoverage === undefined ? {} : { minCoverage: flags.minCoverage },
        warn,
      });
      if (result.readable === 0) {
        throw new UserError(
          `no advisory could be read from ${flags.advisories.join(', ')}`,
          'give OSV JSON records (a file, folder or zip) or an osv-scanner or grype JSON report',
        );
      }
      writeOutput(flags.output, await renderVex(result, flags.format, flags.product === undefined ? {} : { product: flags.product }));
      const affected = result.verdicts.filter((v) => v.status === 'affected').length;
      if (flags.failOn === 'affected' && affected > 0) {
        warn(`apitrace: ${affected} statement${affected === 1 ? ' says' : 's say'} affected (update the packages, or drop --fail-on)`);
        setStatus(EXIT_GATE);
      } else {
        setStatus(0);
      }
    });
}
