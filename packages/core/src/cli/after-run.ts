// What `apitrace run` leaves in the run directory once the command has ended: both SBOMs,
// the VEX documents (with --advisories), the fingerprint, the findings and report.html, all
// from one read of the run, and the terminal summary from that same read. Never throws:
// whatever goes wrong is one line on stderr, because the command's exit status must stay the
// command's.
import type { AppModel } from '../model/app-model.js';
import { buildAppModel } from '../model/build-app-model.js';
import { groupProcessImages } from '../model/process-images.js';
import type { RunContents } from '../reader/run-reader.js';
import { writeRunManifest } from '../reader/run-manifest.js';
import { makeSeal } from '../reader/run-seal.js';
import { writeRunSboms } from '../sbom/sbom-files.js';
import { computeFingerprint } from '../fingerprint/fingerprint.js';
import { writeRunFingerprint } from '../fingerprint/fingerprint-file.js';
import { evaluateRules } from '../findings/evaluate-rules.js';
import { writeRunFindings } from '../findings/findings-files.js';
import { writeRunReport } from '../report/html/report-file.js';
import { formatRunSummary } from '../report/terminal-summary.js';
import { preloadDpkgDatabase } from '../components/dpkg-database.js';
import { terminalLines } from '../base/terminal-line.js';
import { analysisProgress } from './analysis-progress.js';
import { summariseRun } from './report-command.js';
import { writeRunVex } from '../vex/vex-files.js';
import type { ReportVex } from '../report/html/vulnerabilities-section.js';

export interface AfterRunOptions {
  /** write sbom.cdx.json and sbom.spdx.json */
  sbom: boolean;
  /** advisory paths: write vex.openvex.json and vex.cdx.json too */
  advisories?: readonly string[];
  warn: (line: string) => void;
}

/** What the analysis will need whatever the run holds, done while the command still runs. */
export function prepareAnalysis(): void {
  preloadDpkgDatabase();
}

/** Writes the outputs of a finished run and returns its terminal summary (terminal-safe lines). */
export async function analyseRun(runDir: string, options: AfterRunOptions): Promise<string> {
  const { warn } = options;
  let contents: RunContents | undefined;
  let model: AppModel | undefined;
  const progress = analysisProgress();
  try {
    model = await buildAppModel(runDir, { progress: progress.report, read: (run) => (contents = run), digests: true });
  } catch (err) {
    warn(`apitrace: cannot analyse ${runDir}: ${(err as Error).message} (apitrace report ${runDir} shows what was recorded)`);
  } finally {
    progress.done();
  }
  if (model && options.sbom) {
    try {
      await writeRunSboms(runDir, model);
    } catch (err) {
      warn(`apitrace: cannot write the SBOMs of ${runDir}: ${(err as Error).message} (apitrace sbom ${runDir} --format cyclonedx shows the error again)`);
    }
  }
  let vex: ReportVex | undefined;
  if (model && options.advisories && options.advisories.length > 0) {
    try {
      const result = await writeRunVex(runDir, model, { advisories: options.advisories, warn });
      vex = { verdicts: result.verdicts, window: result.observation.window };
    } catch (err) {
      warn(`apitrace: cannot write the VEX documents of ${runDir}: ${(err as Error).message} (apitrace vex ${runDir} --advisories ... shows the error again)`);
    }
  }
  let fingerprintSha256: string | undefined;
  if (model) {
    try {
      const fingerprint = computeFingerprint(model);
      fingerprintSha256 = writeRunFingerprint(runDir, fingerprint);
      const findings = evaluateRules(model);
      writeRunFindings(runDir, model, findings);
      writeRunReport(runDir, model, findings, fingerprint, vex);
    } catch (err) {
      warn(
        `apitrace: cannot write the fingerprint, findings or report of ${runDir}: ${(err as Error).message} (apitrace findings ${runDir} shows the error again)`,
      );
    }
  }
  sealRun(runDir, contents, fingerprintSha256, warn);
  try {
    return contents ? formatRunSummary(contents, groupProcessImages(contents.files)) : await summariseRun(runDir);
  } catch (err) {
    return terminalLines([`apitrace: cannot summarise ${runDir}: ${(err as Error).message}`]);
  }
}

/** Records in run.json what the run directory holds now that the command has ended (run-seal.ts). */
function sealRun(runDir: string, contents: RunContents | undefined, fingerprintSha256: string | undefined, warn: (line: string) => void): void {
  const manifest = contents?.manifest;
  if (!contents || !manifest) return;
  try {
    const found = contents.files.map((f) => ({ name: f.name, pid: f.pid, bytes: f.bytes ?? 0, ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }) }));
    writeRunManifest(runDir, { ...manifest, seal: makeSeal(found, fingerprintSha256) });
  } catch (err) {
    warn(`apitrace: cannot seal ${runDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (later changes to its files will go unnoticed)`);
  }
}
