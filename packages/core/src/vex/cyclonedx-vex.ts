// CycloneDX 1.6 VEX from the verdicts: a BOM whose `vulnerabilities[]` each affect one
// component (`affects[].ref` = the component's bom-ref, its purl) with an `analysis`:
//   not_affected -> not_affected / code_not_reachable; under_investigation -> in_triage;
//   affected -> exploitable, with the stack of the first vulnerable call (or of the package's
//   first use) as the component's `evidence.callstack` and in the detail.
// The components referenced are in `components[]`, so the document stands alone (Dependency-
// Track matches them by purl). Deterministic like the OpenVEX document; validated by the caller
// with the project's CycloneDX validator.
import { createHash } from 'node:crypto';
import type { MergedStack } from '../model/app-model.js';
import type { ObservationWindow } from './observation.js';
import type { Verdict } from './verdicts.js';
import { actionText, coverageText, remedyText, stackText, verdictDetail } from './verdict-text.js';
import { vexTime } from './openvex-document.js';
import { TOOL_NAME, TOOL_VERSION, uuidFrom } from '../sbom/run-facts.js';
import { callstackOf } from '../sbom/cyclonedx/cyclonedx-bom.js';

type Json = Record<string, unknown>;

const ANALYSIS_STATE = { not_affected: 'not_affected', under_investigation: 'in_triage', affected: 'exploitable' } as const;

/** Who publishes an id: CVE at NVD, GHSA at GitHub, the rest at OSV. */
function sourceOf(id: string): Json {
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${encodeURIComponent(id)}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${encodeURIComponent(id)}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` };
}

const property = (name: string, value: string | number | undefined): Json[] =>
  value === undefined ? [] : [{ name: `apitrace:${name}`, value: String(value) }];

function vulnerabilityOf(v: Verdict, window: ObservationWindow): Json {
  const detail = verdictDetail(v, window);
  const analysis: Json = {
    state: ANALYSIS_STATE[v.status],
    ...(v.status === 'not_affected' ? { justification: 'code_not_reachable' } : {}),
    ...(v.status === 'affected' && v.affected.fixed.length > 0 ? { response: ['update'] } : {}),
    detail: v.status === 'affected' ? `${detail} ${actionText(v)}` : detail,
  };
  const versionStatus = v.status === 'affected' ? 'affected' : v.status === 'not_affected' ? 'unaffected' : 'unknown';
  return {
    'bom-ref': `vex:${v.advisory.id}:${v.component.purl}`,
    id: v.advisory.id,
    source: sourceOf(v.advisory.id),
    ...(v.advisory.aliases.length > 0 ? { references: v.advisory.aliases.map((id) => ({ id, source: sourceOf(id) })) } : {}),
    ...(v.advisory.summary ? { description: v.advisory.summary } : {}),
    ...(v.status === 'affected' ? { recommendation: remedyText(v) } : {}),
    analysis,
    affects: [{ ref: v.component.purl, ...(v.component.version ? { versions: [{ version: v.component.version, status: versionStatus }] } : {}) }],
    properties: [
      ...property('vex:reason', v.reason),
      ...property('vex:functions', v.functions.map((f) => `${f.spec}=${f.state}`).join(' ') || undefined),
      ...property('vex:coverage', v.coverage ? coverageText(v) : undefined),
      ...property('vex:window:start', window.start),
      ...property('vex:window:end', window.end),
      ...property('vex:window:runs', window.runs),
      ...property('vex:window:processes', window.processes),
      ...property('vex:stack', v.stack ? stackText(v.stack.stack) : undefined),
    ],
  };
}

function componentsOf(verdicts: readonly Verdict[]): Json[] {
  const byPurl = new Map<string, { v: Verdict; stack?: MergedStack }>();
  for (const v of verdicts) {
    const known = byPurl.get(v.component.purl);
    const stack = v.status === 'affected' ? v.stack?.stack : undefined;
    if (!known) byPurl.set(v.component.purl, { v, ...(stack ? { stack } : {}) });
    else if (!known.stack && stack) known.stack = stack;
  }
  return [...byPurl.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([purl, { v, stack }]) => {
      const c = v.component;
      return {
        type: 'library',
        'bom-ref': purl,
        ...(c.group ? { group: c.group } : {}),
        name: c.name,
        ...(c.version ? { version: c.version } : {}),
        purl,
        properties: [...property('usage', c.usage)],
        ...(stack ? { evidence: { callstack: callstackOf(stack) } } : {}),
      };
    });
}

/** The CycloneDX 1.6 VEX JSON text of the verdicts (not yet validated). */
export function cyclonedxVexJson(verdicts: readonly Verdict[], window: ObservationWindow): string {
  const vulnerabilities = verdicts.map((v) => vulnerabilityOf(v, window));
  const components = componentsOf(verdicts);
  const timestamp = vexTime(window);
  const digest = createHash('sha256').update(timestamp).update(JSON.stringify(vulnerabilities)).digest('hex');
  const document = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFrom(digest)}`,
    version: 1,
    metadata: {
      timestamp,
      lifecycles: [{ phase: 'operations' }],
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: TOOL_VERSION, 'bom-ref': `tool:${TOOL_NAME}` }] },
      properties: [
        ...property('vex:window:start', window.start),
        ...property('vex:window:end', window.end),
        ...property('vex:window:runs', window.runs),
        ...property('vex:window:processes', window.processes),
      ],
    },
    components,
    vulnerabilities,
  };
  return JSON.stringify(document, null, 2) + '\n';
}
