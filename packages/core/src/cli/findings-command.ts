// `apitrace findings <run-dir> [-f text|json|sarif] [-o FILE] [--fail-on SEVERITY]`, and what
// `apitrace run` writes after the command: fingerprint.json, findings.json, findings.sarif
// and report.html in the run directory.
import { Option, type Command } from 'commander';
import type { AppModel } from '../model/app-model.js';
import { buildAppModel } from '../model/build-app-model.js';
import { evaluateRules } from '../findings/evaluate-rules.js';
import { FINDINGS_FORMATS, renderFindings, type FindingsFormat } from '../findings/findings-files.js';
import type { Severity } from '../findings/rule.js';
import { computeFingerprint } from '../fingerprint/fingerprint.js';
import { reportHtml } from '../report/html/report-page.js';
import { analysisProgress } from './analysis-progress.js';
import { EXIT_GATE } from './diff-command.js';
import { writeOutput } from './fingerprint-command.js';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

interface FindingsFlags {
  format: FindingsFormat;
  output?: string;
  repoRoot?: string;
  failOn?: Severity;
}

/** `apitrace report <run-dir> --html FILE`: the page apitrace run leaves as report.html, for any run. */
export async function writeHtmlReport(runDir: string, file: string): Promise<void> {
  const progress = analysisProgress();
  let model: AppModel;
  try {
    model = await buildAppModel(runDir, { progress: progress.report });
  } finally {
    progress.done();
  }
  writeOutput(file, reportHtml(model, evaluateRules(model), computeFingerprint(model)));
}

export function registerFindingsCommand(program: Command, setStatus: (status: number) => void, warn: (line: string) => void): void {
  program
    .command('findings')
    .description(
      'list security findings of a run (unsafe C strings, weak randomness for secrets, shell execution, TLS verification off, SQL from strings, ...)',
    )
    .argument('<run-dir>', 'a directory written by apitrace run (or by plugins with APITRACE_DIR)')
    .addOption(new Option('-f, --format <format>', 'text, json, or sarif (SARIF 2.1.0 for code scanning)').choices([...FINDINGS_FORMATS]).default('text'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--repo-root <dir>', "make SARIF URIs relative to this directory (default: the git work tree around the run's cwd)")
    .addOption(new Option('--fail-on <severity>', `exit ${EXIT_GATE} when a finding is at least this severe`).choices(SEVERITIES))
    .action(async (runDir: string, flags: FindingsFlags) => {
      const progress = analysisProgress();
      let model: AppModel;
      try {
        model = await buildAppModel(runDir, { progress: progress.report });
      } finally {
        progress.done();
      }
      const findings = evaluateRules(model);
      writeOutput(flags.output, renderFindings(model, findings, flags.format, flags.repoRoot));
      const threshold = flags.failOn === undefined ? -1 : SEVERITIES.indexOf(flags.failOn);
      const gating = findings.filter((f) => SEVERITIES.indexOf(f.rule.severity) <= threshold);
      if (gating.length > 0)
        warn(`apitrace: ${gating.length} finding${gating.length === 1 ? '' : 's'} at or above ${flags.failOn} (fix them, or lower --fail-on)`);
      setStatus(gating.length > 0 ? EXIT_GATE : 0);
    });
}
