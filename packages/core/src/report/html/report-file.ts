// report.html in the run directory.
import { join } from 'node:path';
import type { AppModel } from '../../model/app-model.js';
import { writeOutputFile } from '../../output/output-file.js';
import type { Finding } from '../../findings/evaluate-rules.js';
import { evaluateRules } from '../../findings/evaluate-rules.js';
import { computeFingerprint, type Fingerprint } from '../../fingerprint/fingerprint.js';
import { reportHtml } from './report-page.js';
import type { ReportVex } from './vulnerabilities-section.js';

export const REPORT_FILE_NAME = 'report.html';

export function writeRunReport(
  runDir: string,
  model: AppModel,
  findings: readonly Finding[] = evaluateRules(model),
  fingerprint: Fingerprint = computeFingerprint(model),
  vex?: ReportVex,
): string {
  const path = join(runDir, REPORT_FILE_NAME);
  writeOutputFile(path, reportHtml(model, findings, fingerprint, vex));
  return path;
}
