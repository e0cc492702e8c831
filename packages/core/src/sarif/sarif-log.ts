// Findings as SARIF 2.1.0, shaped the way GitHub code scanning reads it: one rule per
// finding rule (CWE tags, security-severity), one result per finding with its calling frame as
// the location and its merged call stack as a code flow (outermost frame first), URIs relative
// to the repository root for frames inside it, and a stable partial fingerprint per result.
import { createHash } from 'node:crypto';
import type { ModelFrame } from '../model/app-model.js';
import type { Finding } from '../findings/evaluate-rules.js';
import { FINDING_RULES } from '../findings/rules/index.js';
import { SECURITY_SEVERITY, type FindingRule, type Severity } from '../findings/rule.js';
import { TOOL_NAME, TOOL_VERSION } from '../sbom/run-facts.js';
import type { RepoPaths } from './repo-paths.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn?: number };
  };
  message?: { text: string };
}

const pascal = (id: string): string =>
  id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function ruleDescriptor(rule: FindingRule): object {
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.explanation },
    help: {
      text: `${rule.explanation}\n\nFix: ${rule.fix}`,
      markdown: `${rule.explanation}\n\n**Fix:** ${rule.fix}\n\n${rule.cwe.map((c) => `[${c}](https://cwe.mitre.org/data/definitions/${c.slice(4)}.html)`).join(', ')}`,
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', ...rule.cwe.map((c) => `external/cwe/${c.toLowerCase()}`)],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

function frameText(f: ModelFrame): string {
  return `${f.lang} ${f.fn}${f.file ? ` (${f.file}${f.line === undefined ? '' : `:${f.line}`})` : f.unit ? ` [${f.unit}]` : ''}`;
}

function locationOf(frame: ModelFrame, repo: RepoPaths, withMessage: boolean): SarifLocation {
  const artifact = repo.artifactOf(frame);
  const location: SarifLocation = {};
  if (artifact) {
    location.physicalLocation = {
      artifactLocation: artifact,
      ...(frame.line !== undefined && frame.line > 0 && frame.file
        ? { region: { startLine: frame.line, ...(frame.col !== undefined && frame.col > 0 ? { startColumn: frame.col } : {}) } }
        : {}),
    };
  }
  if (withMessage) location.message = { text: frameText(frame) };
  return location;
}

/** The result's location: the calling frame when it has a source, else the innermost frame that has one. */
function primaryFrame(finding: Finding, repo: RepoPaths): ModelFrame | undefined {
  const frames = finding.frame ? [finding.frame, ...finding.stack.frames] : finding.stack.frames;
  return frames.find((f) => repo.artifactOf(f)?.uriBaseId !== undefined && f.line !== undefined) ?? frames.find((f) => repo.artifactOf(f) !== undefined);
}

export function sarifLog(findings: readonly Finding[], repo: RepoPaths): object {
  const rules = FINDING_RULES;
  const results = findings.map((f) => {
    const primary = primaryFrame(f, repo);
    const stackFrames = [...f.stack.frames].reverse();
    const fingerprint = createHash('sha256')
      .update([f.rule.id, f.component, f.api, f.frame?.file ?? '', String(f.frame?.line ?? ''), f.frame?.fn ?? ''].join('\0'))
      .digest('hex');
    return {
      ruleId: f.rule.id,
      ruleIndex: rules.indexOf(f.rule),
      level: LEVEL[f.rule.severity],
      message: { text: `${f.message}${f.count > 1 ? ` (${f.count} times)` : ''}` },
      // code scanning rejects a result without a location: the calling component stands in
      locations: [
        primary ? locationOf(primary, repo, false) : { physicalLocation: { artifactLocation: { uri: `apitrace:${encodeURIComponent(f.component)}` } } },
      ],
      ...(stackFrames.length > 0
        ? {
            codeFlows: [
              {
                message: {
                  text:
                    f.stack.join === 'none' ? 'call stack' : `merged call stack (${f.stack.join} join${f.stack.spanApi ? ` under ${f.stack.spanApi}` : ''})`,
                },
                threadFlows: [{ locations: stackFrames.map((frame, i) => ({ location: locationOf(frame, repo, true), nestingLevel: i })) }],
              },
            ],
          }
        : {}),
      partialFingerprints: { 'apitraceFinding/v1': fingerprint },
      properties: { component: f.component, api: f.api, count: f.count, processes: f.processes, join: f.stack.join },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, semanticVersion: TOOL_VERSION, version: TOOL_VERSION, rules: rules.map(ruleDescriptor) } },
        originalUriBaseIds: { '%SRCROOT%': { uri: repo.rootUri } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function sarifJson(findings: readonly Finding[], repo: RepoPaths): string {
  return `${JSON.stringify(sarifLog(findings, repo), null, 2)}\n`;
}
