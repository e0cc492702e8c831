// The findings of a run in each format, and findings.json / findings.sarif in the run directory.
import { join } from 'node:path';
import type { AppModel } from '../model/app-model.js';
import { writeOutputFile } from '../output/output-file.js';
import { RepoPaths, repositoryRoot } from '../sarif/repo-paths.js';
import { sarifJson } from '../sarif/sarif-log.js';
import { evaluateRules, type Finding } from './evaluate-rules.js';
import { findingsJson, findingsText } from './findings-output.js';

export type FindingsFormat = 'text' | 'json' | 'sarif';
export const FINDINGS_FORMATS: readonly FindingsFormat[] = ['text', 'json', 'sarif'];
export const FINDINGS_FILE_NAMES = { json: 'findings.json', sarif: 'findings.sarif' } as const;

/** The repository a run's frames are made relative to: given, else the one around the run's cwd. */
export function repoPathsOf(model: AppModel, repoRoot?: string): RepoPaths {
  const cwd = model.run.manifest?.cwd ?? model.processes[0]?.cwd ?? process.cwd();
  return new RepoPaths(repoRoot ?? repositoryRoot(cwd));
}

export function renderFindings(model: AppModel, findings: readonly Finding[], format: FindingsFormat, repoRoot?: string): string {
  if (format === 'json') return findingsJson(findings);
  if (format === 'sarif') return sarifJson(findings, repoPathsOf(model, repoRoot));
  return findingsText(findings, model.run.dir);
}

export function writeRunFindings(runDir: string, model: AppModel, findings: readonly Finding[] = evaluateRules(model)): string[] {
  const written: string[] = [];
  for (const format of ['json', 'sarif'] as const) {
    const path = join(runDir, FINDINGS_FILE_NAMES[format]);
    writeOutputFile(path, renderFindings(model, findings, format));
    written.push(path);
  }
  return written;
}
