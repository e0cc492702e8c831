// report.html: one self-contained page for a person. No script and no external resource (a
// Content-Security-Policy forbids both); pictures are inline SVG; everything from the event
// files goes through escapeHtml.
import type { AppModel, Component, ComponentApiUsage } from '../../model/app-model.js';
import type { Finding } from '../../findings/evaluate-rules.js';
import type { Fingerprint } from '../../fingerprint/fingerprint.js';
import { ownActivity } from '../../own/apitrace-own.js';
import { escapeHtml as e } from './escape.js';
import { componentUsageSvg, processTreeOrder, processTreeSvg, STATE_COLOURS } from './svg-pictures.js';
import { stackList } from './stack-list.js';
import { vulnerabilitiesSection, type ReportVex } from './vulnerabilities-section.js';

const MAX_APIS_PER_COMPONENT = 60;
const MAX_SUBJECTS_PER_API = 8;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1a202c;background:#f7fafc}
header{background:#1a365d;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
header .meta{font-size:13px;opacity:.9;word-break:break-all}
main{padding:8px 24px 40px;max-width:1200px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #edf2f7;vertical-align:top}
th{background:#edf2f7}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px}
.state{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;text-transform:uppercase}
.sev-critical{background:#742a2a}.sev-high{background:#c53030}.sev-medium{background:#dd6b20}.sev-low{background:#718096}
.finding{border-left:4px solid #c53030;padding:6px 12px;margin:10px 0;background:#fffaf0}
.verdict{border-left:4px solid #a0aec0;padding:6px 12px;margin:10px 0}.verdict-affected{border-color:#c53030;background:#fffaf0}
.verdict-under_investigation{border-color:#d69e2e}.verdict-not_affected{border-color:#2f855a}
ol.stack{margin:4px 0;padding-left:22px}ol.stack li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.native{color:#4a5568}.picture text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#1a202c}
.picture .edge{fill:none;stroke:#a0aec0;stroke-width:1.5}.picture .node{fill:#2b6cb0}.picture .node.failed{fill:#c53030}
details{margin:4px 0}summary{cursor:pointer}.muted{color:#718096}
`;

function stateBadge(state: string): string {
  return `<span class="state" style="background:${STATE_COLOURS[state as keyof typeof STATE_COLOURS] ?? '#718096'}">${e(state)}</span>`;
}

function runSection(model: AppModel): string {
  const command = model.run.manifest?.command ?? model.processes[0]?.argv ?? [];
  return (
    `<header><h1>apitrace report</h1><div class="meta">command: <code>${e(command.join(' '))}</code><br>` +
    `run: <code>${e(model.run.dir)}</code>${model.run.started ? ` · started ${e(model.run.started)}` : ''}` +
    `${model.run.exitStatus === undefined ? '' : ` · exit status ${e(model.run.exitStatus)}`}</div></header>`
  );
}

function summaryCards(model: AppModel, findings: readonly Finding[], vex: ReportVex | undefined): string {
  const count = (state: string): number => model.components.filter((c) => c.usage === state).length;
  const cards: [string, string | number][] = [
    ['processes', model.processes.length],
    ['components used', count('used')],
    ['loaded, not used', count('loaded')],
    ['only installed', count('installed')],
    ['findings', findings.length],
    ...(vex ? [['vulnerable code ran', vex.verdicts.filter((v) => v.status === 'affected').length] as [string, number]] : []),
    ['web APIs', model.webApis.length],
  ];
  return `<div class="cards">${cards.map(([label, n]) => `<div class="card"><b>${e(n)}</b>${e(label)}</div>`).join('')}</div>`;
}

function findingsSection(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<section id="findings"><h2>Findings</h2><p>No rule matched.</p></section>';
  const blocks = findings.map(
    (f) =>
      `<div class="finding"><div><span class="sev sev-${e(f.rule.severity)}">${e(f.rule.severity)}</span> ` +
      `<b>${e(f.rule.title)}</b> <span class="muted">${e(f.rule.id)} · ${e(f.rule.cwe.join(', '))}</span></div>` +
      `<p>${e(f.message)}${f.count > 1 ? ` (${e(f.count)} times)` : ''}</p>` +
      `<details><summary>why and how to fix</summary><p>${e(f.rule.explanation)}</p><p><b>Fix:</b> ${e(f.rule.fix)}</p></details>` +
      `${stackList(f.stack)}</div>`,
  );
  return `<section id="findings"><h2>Findings (${findings.length})</h2>${blocks.join('')}</section>`;
}

function processSection(model: AppModel): string {
  const rows = processTreeOrder(model).map(
    ({ process: p, depth }) =>
      `<tr><td class="mono">${'&nbsp;&nbsp;'.repeat(depth)}${e(p.id)}</td>` +
      `<td class="mono">${e(p.ppid ?? '')}</td><td>${e(p.lineage)}</td><td class="mono">${e(p.exe ?? '')}</td>` +
      `<td class="mono">${e((p.argv ?? []).join(' '))}</td><td>${e(p.sources.join(', '))}</td>` +
      `<td>${e(p.end?.reason === 'exit' ? `exit ${p.end.exitCode ?? ''}` : (p.end?.reason ?? (p.endMissing ? 'no end record' : '')))}</td></tr>`,
  );
  return (
    `<section id="processes"><h2>Process tree</h2>${processTreeSvg(model)}` +
    `<details><summary>every process image</summary><table><tr><th>id</th><th>ppid</th><th>began by</th><th>executable</th><th>argv</th><th>recorded by</th><th>end</th></tr>${rows.join('')}</table></details></section>`
  );
}

function componentRow(c: Component): string {
  return (
    `<tr><td class="mono">${e(c.group ? `${c.group}/${c.name}` : c.name)}</td><td>${e(c.version ?? '')}</td><td>${e(c.kind)}</td>` +
    `<td>${stateBadge(c.usage)}</td><td>${e(c.counts.apiCalls)}</td><td>${c.functions ? e(`${c.functions.used} / ${c.functions.total}`) : ''}</td>` +
    `<td class="mono">${e(c.purl ?? c.ref)}</td></tr>`
  );
}

function componentsSection(model: AppModel): string {
  const header = '<tr><th>component</th><th>version</th><th>kind</th><th>state</th><th>API calls</th><th>functions used / known</th><th>purl</th></tr>';
  const table = (list: Component[]): string => `<table>${header}${list.map(componentRow).join('')}</table>`;
  const active = model.components.filter((c) => c.usage !== 'installed');
  const installed = model.components.filter((c) => c.usage === 'installed');
  return (
    `<section id="components"><h2>Components by usage state</h2>${componentUsageSvg(model)}` +
    `<h3>Used or loaded (${active.length})</h3>${table(active)}` +
    `<details><summary>Only installed, never loaded (${installed.length})</summary>${table(installed)}</details></section>`
  );
}

function usageSection(model: AppModel): string {
  const own = ownActivity(model);
  const byComponent = new Map<string, ComponentApiUsage[]>();
  for (const u of model.apiUsages) {
    const list = byComponent.get(u.component) ?? [];
    list.push(u);
    byComponent.set(u.component, list);
  }
  const names = new Map(model.components.map((c) => [c.ref, c]));
  const blocks = [...byComponent]
    .filter(([ref]) => !own.isOwnComponent(names.get(ref)))
    .map(([ref, usages]) => {
      const perApi = new Map<string, { count: number; subjects: string[]; flags: Set<string> }>();
      for (const u of usages) {
        const entry = perApi.get(u.api) ?? { count: 0, subjects: [], flags: new Set<string>() };
        entry.count += u.count;
        if (u.subject !== undefined && entry.subjects.length < MAX_SUBJECTS_PER_API) entry.subjects.push(u.subject);
        u.flags.forEach((f) => entry.flags.add(f));
        perApi.set(u.api, entry);
      }
      const apis = [...perApi].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const rows = apis
        .slice(0, MAX_APIS_PER_COMPONENT)
        .map(
          ([api, x]) =>
            `<tr><td class="mono">${e(api)}</td><td>${e(x.count)}</td>` +
            `<td class="mono">${x.subjects.map((s) => e(s)).join('<br>')}</td><td>${e([...x.flags].sort().join(', '))}</td></tr>`,
        );
      const more = apis.length > MAX_APIS_PER_COMPONENT ? `<p class="muted">${e(apis.length - MAX_APIS_PER_COMPONENT)} more APIs</p>` : '';
      const c = names.get(ref);
      const title = c ? `${c.group ? `${c.group}/` : ''}${c.name}${c.version ? `@${c.version}` : ''}` : ref;
      return (
        `<details><summary><b class="mono">${e(title)}</b> ${c ? stateBadge(c.usage) : ''} ${e(apis.length)} APIs</summary>` +
        `<table><tr><th>API</th><th>calls</th><th>subjects (files, peers, ...)</th><th>flags</th></tr>${rows.join('')}</table>${more}</details>`
      );
    });
  return `<section id="usage"><h2>What each component used</h2>${blocks.length ? blocks.join('') : '<p>No API use recorded.</p>'}</section>`;
}

function webApiSection(model: AppModel): string {
  if (model.webApis.length === 0) return '<section id="web-apis"><h2>Web APIs</h2><p>None served or called.</p></section>';
  const rows = model.webApis.map(
    (w) =>
      `<tr><td>${e(w.direction)}</td><td>${e(w.method)}</td><td class="mono">${e(`${w.scheme ? `${w.scheme}://` : ''}${w.host ?? ''}`)}</td>` +
      `<td class="mono">${e(w.route)}</td><td>${e(w.status ?? '')}</td><td>${e(w.count)}</td><td>${e(w.framework ?? '')}</td></tr>`,
  );
  return `<section id="web-apis"><h2>Web APIs</h2><table><tr><th>direction</th><th>method</th><th>host</th><th>route</th><th>status</th><th>count</th><th>framework</th></tr>${rows.join('')}</table></section>`;
}

function behaviourSection(fp: Fingerprint): string {
  const list = (title: string, items: string[]): string =>
    `<h3>${e(title)} (${items.length})</h3>${items.length ? `<ul>${items.map((i) => `<li class="mono">${e(i)}</li>`).join('')}</ul>` : '<p class="muted">none</p>'}`;
  const files = Object.entries(fp.files).map(([path, access]) => `${path} (${access.join(', ')})`);
  return (
    `<section id="behaviour"><h2>Behaviour (fingerprint)</h2>` +
    list('Programs executed', fp.programs) +
    list('Shell commands', fp.commands) +
    list('Network peers', fp.network.peers) +
    list('Listening', fp.network.listening) +
    list('Hosts looked up', fp.network.hosts) +
    `<details><summary>Files touched (${files.length})</summary><ul>${files.map((f) => `<li class="mono">${e(f)}</li>`).join('')}</ul></details></section>`
  );
}

/** The page; `vex` (the verdicts of `apitrace run --advisories`) adds the vulnerabilities section. */
export function reportHtml(model: AppModel, findings: readonly Finding[], fingerprint: Fingerprint, vex?: ReportVex): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>apitrace report: ${e((model.run.manifest?.command ?? model.processes[0]?.argv ?? ['run']).join(' '))}</title>`,
    `<style>${STYLE}</style></head><body>`,
    runSection(model),
    '<main>',
    summaryCards(model, findings, vex),
    ...(vex ? [vulnerabilitiesSection(vex)] : []),
    findingsSection(findings),
    processSection(model),
    componentsSection(model),
    usageSection(model),
    webApiSection(model),
    behaviourSection(fingerprint),
    '</main></body></html>',
    '',
  ].join('\n');
}
