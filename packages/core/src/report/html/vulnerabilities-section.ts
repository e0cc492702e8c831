// The report's vulnerabilities section, from the VEX verdicts of `apitrace run --advisories`:
// counts per verdict, a picture of them, and each advisory with what was observed and, where
// the vulnerable code ran, the stack of its first call.
import type { ObservationWindow } from '../../vex/observation.js';
import type { Verdict, VerdictStatus } from '../../vex/verdicts.js';
import { componentLabel, remedyText, verdictDetail, windowText } from '../../vex/verdict-text.js';
import { escapeHtml as e } from './escape.js';
import { stackList } from './stack-list.js';

export interface ReportVex {
  verdicts: readonly Verdict[];
  window: ObservationWindow;
}

/** Most urgent first. */
const STATUSES: VerdictStatus[] = ['affected', 'under_investigation', 'not_affected'];
export const VERDICT_COLOURS: Record<VerdictStatus, string> = { affected: '#c53030', under_investigation: '#d69e2e', not_affected: '#2f855a' };
const LABELS: Record<VerdictStatus, string> = {
  affected: 'affected: vulnerable code ran',
  under_investigation: 'under investigation: loaded, not known',
  not_affected: 'not affected: not loaded, or its vulnerable functions never ran',
};

/** One bar, split by verdict, with a legend. */
export function verdictsSvg(verdicts: readonly Verdict[]): string {
  const width = 560;
  const counts = STATUSES.map((s) => verdicts.filter((v) => v.status === s).length);
  const total = Math.max(1, verdicts.length);
  const parts: string[] = [];
  let x = 0;
  counts.forEach((n, i) => {
    if (n === 0) return;
    const w = Math.max(2, (n / total) * width);
    parts.push(
      `<rect x="${x.toFixed(1)}" y="4" width="${w.toFixed(1)}" height="22" fill="${VERDICT_COLOURS[STATUSES[i]!]}"><title>${e(`${n} ${STATUSES[i]}`)}</title></rect>`,
    );
    x += w;
  });
  STATUSES.forEach((s, i) => {
    const y = 48 + i * 18;
    parts.push(
      `<rect x="0" y="${y - 11}" width="12" height="12" fill="${VERDICT_COLOURS[s]}"/><text x="18" y="${y}" class="count">${e(`${counts[i]} ${LABELS[s]}`)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="advisories by verdict" width="${width + 20}" height="${48 + STATUSES.length * 18}" class="picture">${parts.join('')}</svg>`;
}

function verdictBlock(v: Verdict, window: ObservationWindow): string {
  const aliases = v.advisory.aliases.length ? ` <span class="muted">${e(v.advisory.aliases.join(', '))}</span>` : '';
  const stack =
    v.status === 'affected' && v.stack
      ? `<p class="muted">${v.stack.of === 'vulnerable_call' ? 'first call of the vulnerable function' : 'first observed use of the package'}${v.stack.at ? ` at ${e(v.stack.at)}` : ''}</p>${stackList(v.stack.stack)}`
      : '';
  return (
    `<div class="verdict verdict-${e(v.status)}"><div><span class="state" style="background:${VERDICT_COLOURS[v.status]}">${e(v.status)}</span> ` +
    `<b>${e(v.advisory.id)}</b>${aliases} on <code>${e(componentLabel(v))}</code></div>` +
    `${v.advisory.summary ? `<p>${e(v.advisory.summary)}</p>` : ''}<p>${e(verdictDetail(v, window))}</p>` +
    `${v.status === 'affected' ? `<p><b>Action:</b> ${e(remedyText(v))}</p>` : ''}${stack}</div>`
  );
}

export function vulnerabilitiesSection(vex: ReportVex): string {
  const title = `<h2>Vulnerabilities (runtime VEX, ${vex.verdicts.length})</h2>`;
  if (vex.verdicts.length === 0) {
    return `<section id="vulnerabilities">${title}<p>No advisory affects a component of this run (${e(windowText(vex.window))}).</p></section>`;
  }
  const ordered = STATUSES.flatMap((s) => vex.verdicts.filter((v) => v.status === s));
  const cards = STATUSES.map((s) => `<div class="card"><b>${e(vex.verdicts.filter((v) => v.status === s).length)}</b>${e(s)}</div>`).join('');
  return (
    `<section id="vulnerabilities">${title}<p class="muted">observed in ${e(windowText(vex.window))}; vex.openvex.json and vex.cdx.json hold the same verdicts</p>` +
    `<div class="cards">${cards}</div>${verdictsSvg(vex.verdicts)}${ordered.map((v) => verdictBlock(v, vex.window)).join('')}</section>`
  );
}
