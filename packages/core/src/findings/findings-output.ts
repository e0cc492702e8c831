// The findings of a run as a terminal list (every line terminal-safe: messages and frames come
// from event files) and as JSON (SARIF is sarif/sarif-log.ts).
import type { ModelFrame } from '../model/app-model.js';
import type { Finding } from './evaluate-rules.js';
import { FINDING_RULES } from './rules/index.js';
import { SECURITY_SEVERITY } from './rule.js';
import { terminalLines } from '../base/terminal-line.js';

function frameLine(f: ModelFrame): string {
  const where = f.file ? ` ${f.file}${f.line === undefined ? '' : `:${f.line}`}${f.col === undefined ? '' : `:${f.col}`}` : '';
  const unit = !f.file && f.unit ? ` [${f.unit}]` : '';
  return `${f.lang.padEnd(6)} ${f.fn}${where}${unit}`;
}

/** A list for a person: one block per finding, with its rule, advice and merged stack. */
export function findingsText(findings: readonly Finding[], runDir: string): string {
  if (findings.length === 0) return terminalLines([`apitrace findings: ${runDir}: none of the ${FINDING_RULES.length} rules matched`]);
  const lines = [`apitrace findings: ${runDir}: ${findings.length} finding${findings.length === 1 ? '' : 's'}`];
  for (const f of findings) {
    lines.push('', `${f.rule.severity.toUpperCase()}  ${f.rule.title} [${f.rule.id}, ${f.rule.cwe.join(', ')}]`);
    lines.push(`  ${f.message}${f.count > 1 ? ` (${f.count} times)` : ''}`);
    lines.push(`  fix: ${f.rule.fix}`);
    if (f.stack.frames.length > 0) {
      lines.push(`  stack (${f.stack.join === 'none' ? 'one emitter' : `${f.stack.join} join${f.stack.spanApi ? ` under ${f.stack.spanApi}` : ''}`}):`);
      for (const frame of f.stack.frames.slice(0, 12)) lines.push(`    ${frameLine(frame)}`);
      if (f.stack.frames.length > 12) lines.push(`    ... ${f.stack.frames.length - 12} more frames`);
    }
  }
  return terminalLines(lines);
}

export interface FindingJson {
  rule: string;
  title: string;
  severity: string;
  securitySeverity: string;
  cwe: string[];
  message: string;
  explanation: string;
  fix: string;
  component: string;
  api: string;
  count: number;
  processes: string[];
  location?: { file?: string; line?: number; col?: number; fn: string };
  stack: { join: string; spanApi?: string; matchedOn?: string; frames: ModelFrame[] };
}

export function findingsJson(findings: readonly Finding[]): string {
  const list: FindingJson[] = findings.map((f) => ({
    rule: f.rule.id,
    title: f.rule.title,
    severity: f.rule.severity,
    securitySeverity: SECURITY_SEVERITY[f.rule.severity],
    cwe: f.rule.cwe,
    message: f.message,
    explanation: f.rule.explanation,
    fix: f.rule.fix,
    component: f.component,
    api: f.api,
    count: f.count,
    processes: f.processes,
    ...(f.frame
      ? {
          location: {
            ...(f.frame.file ? { file: f.frame.file } : {}),
            ...(f.frame.line === undefined ? {} : { line: f.frame.line }),
            ...(f.frame.col === undefined ? {} : { col: f.frame.col }),
            fn: f.frame.fn,
          },
        }
      : {}),
    stack: {
      join: f.stack.join,
      ...(f.stack.spanApi ? { spanApi: f.stack.spanApi } : {}),
      ...(f.stack.matchedOn ? { matchedOn: f.stack.matchedOn } : {}),
      frames: f.stack.frames,
    },
  }));
  return `${JSON.stringify({ format: 'apitrace-findings', v: 1, findings: list }, null, 2)}\n`;
}
