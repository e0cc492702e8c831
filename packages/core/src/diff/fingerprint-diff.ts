// Drift between two fingerprints (a baseline and a new release): what each category gained and
// lost, and whether a change falls into one of the kinds a CI job was told to fail on.
import type { Fingerprint } from '../fingerprint/fingerprint.js';
import { terminalLines } from '../base/terminal-line.js';

/** The kinds of drift `--fail-on` names, each over one or more fingerprint categories. */
export const DRIFT_KINDS = ['new-network', 'new-exec', 'new-component', 'new-api', 'new-file', 'new-endpoint'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface CategoryDiff {
  /** category name as printed: components, apis, files, network peers, ... */
  category: string;
  /** the --fail-on kind an addition here counts as */
  kind: DriftKind;
  added: string[];
  removed: string[];
}

export interface FingerprintDiff {
  categories: CategoryDiff[];
  /** kinds with at least one addition */
  addedKinds: DriftKind[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function setDiff(category: string, kind: DriftKind, base: readonly string[], head: readonly string[]): CategoryDiff {
  const b = new Set(base);
  const h = new Set(head);
  return {
    category,
    kind,
    added: [...h].filter((x) => !b.has(x)).sort(byString),
    removed: [...b].filter((x) => !h.has(x)).sort(byString),
  };
}

const apiItems = (f: Fingerprint): string[] => Object.entries(f.apis).flatMap(([component, apis]) => apis.map((api) => `${component} ${api}`));
const fileItems = (f: Fingerprint): string[] => Object.entries(f.files).flatMap(([path, access]) => access.map((a) => `${path} (${a})`));
const componentItems = (f: Fingerprint): string[] => Object.keys(f.components);

export function diffFingerprints(base: Fingerprint, head: Fingerprint): FingerprintDiff {
  const categories = [
    setDiff('components', 'new-component', componentItems(base), componentItems(head)),
    setDiff('apis', 'new-api', apiItems(base), apiItems(head)),
    setDiff('files', 'new-file', fileItems(base), fileItems(head)),
    setDiff('network peers', 'new-network', base.network.peers, head.network.peers),
    setDiff('listening', 'new-network', base.network.listening, head.network.listening),
    setDiff('hosts', 'new-network', base.network.hosts, head.network.hosts),
    setDiff('programs', 'new-exec', base.programs, head.programs),
    setDiff('commands', 'new-exec', base.commands, head.commands),
    setDiff('web apis served', 'new-endpoint', base.webApis.served, head.webApis.served),
    setDiff('web apis called', 'new-endpoint', base.webApis.called, head.webApis.called),
  ];
  const addedKinds = DRIFT_KINDS.filter((kind) => categories.some((c) => c.kind === kind && c.added.length > 0));
  return { categories, addedKinds };
}

/** `any` or a comma-separated list of kinds; throws with the unknown name. */
export function parseFailOn(value: string): DriftKind[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.includes('any')) return [...DRIFT_KINDS];
  for (const name of names) {
    if (!(DRIFT_KINDS as readonly string[]).includes(name)) throw new Error(`unknown drift kind ${JSON.stringify(name)}`);
  }
  return names as DriftKind[];
}

export function failingKinds(diff: FingerprintDiff, failOn: readonly DriftKind[]): DriftKind[] {
  return diff.addedKinds.filter((k) => failOn.includes(k));
}

/** Text for a terminal or a CI log: per category, `+ added` and `- removed` lines. */
export function diffText(diff: FingerprintDiff, labels: { base: string; head: string }): string {
  const lines = [`apitrace diff: ${labels.base} -> ${labels.head}`];
  const changed = diff.categories.filter((c) => c.added.length + c.removed.length > 0);
  if (changed.length === 0) {
    lines.push('  no drift: the same behaviour in every category');
    return terminalLines(lines);
  }
  for (const c of changed) {
    lines.push(`  ${c.category} (${c.kind}): ${c.added.length} added, ${c.removed.length} removed`);
    for (const a of c.added) lines.push(`    + ${a}`);
    for (const r of c.removed) lines.push(`    - ${r}`);
  }
  return terminalLines(lines);
}

export function diffJson(diff: FingerprintDiff, labels: { base: string; head: string }, failed: readonly DriftKind[]): string {
  return `${JSON.stringify({ base: labels.base, head: labels.head, drift: diff.addedKinds, failed, categories: diff.categories }, null, 2)}\n`;
}
