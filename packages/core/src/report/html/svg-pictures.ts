// The pictures of the report, as inline SVG (no script, no external resource): components by
// usage state per kind, and the process tree.
import type { AppModel, ComponentKind, ModelProcess, UsageState } from '../../model/app-model.js';
import { escapeHtml } from './escape.js';

export const STATE_COLOURS: Record<UsageState, string> = { used: '#2f855a', loaded: '#d69e2e', installed: '#a0aec0' };
const STATES: UsageState[] = ['used', 'loaded', 'installed'];
const KINDS: ComponentKind[] = ['application', 'npm', 'maven', 'native', 'runtime'];

/** One stacked bar per component kind: how many are used, loaded, only installed. */
export function componentUsageSvg(model: AppModel): string {
  const rows = KINDS.map((kind) => {
    const of = model.components.filter((c) => c.kind === kind);
    return { kind, total: of.length, counts: STATES.map((s) => of.filter((c) => c.usage === s).length) };
  }).filter((r) => r.total > 0);
  const barWidth = 460;
  const labelWidth = 100;
  const rowHeight = 30;
  const max = Math.max(1, ...rows.map((r) => r.total));
  const height = rows.length * rowHeight + 40;
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = i * rowHeight + 8;
    parts.push(`<text x="0" y="${y + 15}" class="label">${escapeHtml(row.kind)}</text>`);
    let x = labelWidth;
    row.counts.forEach((n, s) => {
      if (n === 0) return;
      const w = Math.max(2, (n / max) * barWidth);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="20" fill="${STATE_COLOURS[STATES[s]!]}"><title>${escapeHtml(`${row.kind}: ${n} ${STATES[s]}`)}</title></rect>`,
      );
      x += w;
    });
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + 15}" class="count">${row.counts.map((n, s) => `${n} ${STATES[s]}`).join(' · ')}</text>`);
  });
  const legendY = rows.length * rowHeight + 24;
  STATES.forEach((s, i) => {
    parts.push(
      `<rect x="${labelWidth + i * 110}" y="${legendY - 11}" width="12" height="12" fill="${STATE_COLOURS[s]}"/><text x="${labelWidth + i * 110 + 18}" y="${legendY}" class="count">${s}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="components by usage state" width="${labelWidth + barWidth + 260}" height="${height}" class="picture">${parts.join('')}</svg>`;
}

function processLabel(p: ModelProcess): string {
  const program = (p.exe ?? p.argv?.[0] ?? '?').split('/').pop() ?? '?';
  const end =
    p.end?.reason === 'exit'
      ? `exit ${p.end.exitCode ?? '?'}`
      : p.end?.reason === 'signal'
        ? `signal ${p.end.signal ?? '?'}`
        : p.end?.reason === 'exec'
          ? 'exec'
          : p.endMissing
            ? 'no end record'
            : '';
  return `${p.id}  ${program}${p.lineage === 'fork' ? ' (fork)' : p.lineage === 'exec' ? ' (exec)' : ''}${end ? `  ${end}` : ''}`;
}

/** Processes in tree order with their depth: children under their parent, by start time. */
export function processTreeOrder(model: AppModel): { process: ModelProcess; depth: number; parentIndex?: number }[] {
  const ids = new Set(model.processes.map((p) => p.id));
  const children = new Map<string, ModelProcess[]>();
  const roots: ModelProcess[] = [];
  for (const p of model.processes) {
    if (p.parent !== undefined && ids.has(p.parent)) {
      const list = children.get(p.parent) ?? [];
      list.push(p);
      children.set(p.parent, list);
    } else roots.push(p);
  }
  const order: { process: ModelProcess; depth: number; parentIndex?: number }[] = [];
  const visit = (p: ModelProcess, depth: number, parentIndex: number | undefined): void => {
    const index = order.length;
    order.push({ process: p, depth, ...(parentIndex === undefined ? {} : { parentIndex }) });
    for (const c of children.get(p.id) ?? []) visit(c, depth + 1, index);
  };
  roots.forEach((r) => visit(r, 0, undefined));
  return order;
}

const MAX_TREE_NODES = 300;

export function processTreeSvg(model: AppModel): string {
  const order = processTreeOrder(model).slice(0, MAX_TREE_NODES);
  const rowHeight = 26;
  const indent = 28;
  const parts: string[] = [];
  let width = 200;
  order.forEach(({ process, depth, parentIndex }, i) => {
    const x = depth * indent + 8;
    const y = i * rowHeight + 16;
    if (parentIndex !== undefined) {
      const px = (depth - 1) * indent + 8;
      const py = parentIndex * rowHeight + 16;
      parts.push(`<path d="M${px + 5} ${py + 5} V${y} H${x - 2}" class="edge"/>`);
    }
    const label = processLabel(process);
    const failed = process.end?.reason === 'signal' || (process.end?.exitCode ?? 0) !== 0 || process.endMissing;
    parts.push(`<circle cx="${x + 5}" cy="${y}" r="5" class="${failed ? 'node failed' : 'node'}"/>`);
    parts.push(`<text x="${x + 16}" y="${y + 4}" class="label"><title>${escapeHtml((process.argv ?? []).join(' '))}</title>${escapeHtml(label)}</text>`);
    width = Math.max(width, x + 24 + label.length * 7.5);
  });
  const height = order.length * rowHeight + 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="process tree" width="${Math.ceil(width)}" height="${height}" class="picture">${parts.join('')}</svg>`;
}
