// The short summary `apitrace run` and `apitrace report` print: processes, records per
// kind, problems. Plain text, no colour, so it reads the same in a terminal and in CI logs.
import type { RunContents } from '../reader/run-reader.js';
import type { ProcessImage } from '../model/process-images.js';
import { shellQuote } from './shell-quote.js';

const MAX_PROBLEMS_SHOWN = 20;
const MAX_PROCESSES_SHOWN = 40;
const MAX_COMMAND_WIDTH = 100;

function clip(text: string, width: number): string {
  const oneLine = text.replaceAll(/[\r\n\t]/g, ' ');
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

function imageStatus(image: ProcessImage): string {
  const end = image.end;
  if (!end) return 'no end record';
  if (end.reason === 'exec') return 'exec';
  if (end.reason === 'signal') return `signal ${end.signal ?? '?'}`;
  return end.exit_code === undefined ? 'exited' : `exit ${end.exit_code}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd());
}

export function formatRunSummary(run: RunContents, images: readonly ProcessImage[]): string {
  const lines: string[] = [`apitrace: run ${run.dir}`];
  const manifest = run.manifest;
  if (manifest) {
    const status = manifest.exit_status === undefined ? 'still running or interrupted' : `exit ${manifest.exit_status}`;
    lines.push(`  command: ${clip(shellQuote(manifest.command), MAX_COMMAND_WIDTH)} (${status})`);
    const plugins = Object.entries(manifest.plugins).map(([name, state]) => `${name} ${state}`);
    lines.push(`  plugins: ${plugins.join(', ')}`);
  }

  lines.push(`  processes: ${images.length}`);
  if (images.length > 0) {
    const rows = [['PID', 'PPID', 'SOURCES', 'STATUS', 'COMMAND']];
    for (const img of images.slice(0, MAX_PROCESSES_SHOWN)) {
      rows.push([
        String(img.pid),
        img.ppid === undefined ? '?' : String(img.ppid),
        img.sources.join(','),
        imageStatus(img),
        clip(img.argv ? shellQuote(img.argv) : '(unknown: no process_start)', MAX_COMMAND_WIDTH),
      ]);
    }
    lines.push(...table(rows).map((l) => `    ${l}`));
    if (images.length > MAX_PROCESSES_SHOWN) lines.push(`    … and ${images.length - MAX_PROCESSES_SHOWN} more`);
  }

  const total = [...run.recordsByKind.values()].reduce((a, b) => a + b, 0);
  const kinds = [...run.recordsByKind.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(`  records: ${total}${kinds.length ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);

  const problemCount = run.problems.length + run.problemsNotKept;
  if (problemCount === 0) {
    lines.push('  problems: none');
  } else {
    lines.push(`  problems: ${problemCount}`);
    for (const p of run.problems.slice(0, MAX_PROBLEMS_SHOWN)) lines.push(`    ${p.severity}: ${p.where}: ${p.message}`);
    if (problemCount > MAX_PROBLEMS_SHOWN) lines.push(`    … and ${problemCount - MAX_PROBLEMS_SHOWN} more`);
  }
  return lines.join('\n') + '\n';
}
