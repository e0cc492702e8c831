// The short summary `apitrace run` and `apitrace report` print: processes, records per
// kind, problems. Plain text, no colour, so it reads the same in a terminal and in CI logs.
// Every line is made terminal-safe: argv, paths and notices come from the observed program.
import type { RunContents } from '../reader/run-reader.js';
import type { ProcessImage } from '../model/process-images.js';
import { shellQuote } from './shell-quote.js';
import { terminalLines, terminalSafe } from '../base/terminal-line.js';

// At most a screenful: a test suite's run has hundreds of processes and repeated notices.
const MAX_PROBLEMS_SHOWN = 8;
const MAX_PROCESSES_SHOWN = 12;
const MAX_COMMAND_WIDTH = 100;

/** Escaped before it is cut and padded, so the table's columns line up with what is shown. */
function clip(text: string, width: number): string {
  const oneLine = terminalSafe(text);
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
  return rows.map((r) =>
    r
      .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}

const isThreadImage = (image: ProcessImage): boolean => image.files.every((f) => f.start?.origin === 'thread');

interface ProcessRow {
  image: ProcessImage;
  sources: Set<string>;
  /** worker threads recorded in files of their own, folded into their process's row */
  threads: number;
}

/** One row per process image; a worker thread's image is counted on its process's row. */
function processRows(images: readonly ProcessImage[]): ProcessRow[] {
  const rows: ProcessRow[] = [];
  const latestOfPid = new Map<number, ProcessRow>();
  for (const image of images) {
    const home = isThreadImage(image) ? latestOfPid.get(image.pid) : undefined;
    if (home) {
      home.threads++;
      image.sources.forEach((s) => home.sources.add(s));
      continue;
    }
    const row = { image, sources: new Set<string>(image.sources), threads: 0 };
    rows.push(row);
    latestOfPid.set(image.pid, row);
  }
  return rows;
}

interface ProblemGroup {
  severity: string;
  message: string;
  where: string;
  count: number;
}

/** Problems with the same message (a notice every flush, a damaged line in every file) as one line. */
function problemGroups(problems: RunContents['problems']): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const p of problems) {
    const key = `${p.severity}\0${p.message}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { severity: p.severity, message: p.message, where: p.where, count: 1 });
  }
  return [...groups.values()];
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

  const processes = processRows(images);
  const threads = processes.reduce((n, p) => n + p.threads, 0);
  lines.push(`  processes: ${processes.length}${threads > 0 ? ` (and ${threads} worker thread${threads === 1 ? '' : 's'})` : ''}`);
  if (processes.length > 0) {
    const rows = [['PID', 'PPID', 'SOURCES', 'STATUS', 'COMMAND']];
    for (const { image: img, sources, threads: n } of processes.slice(0, MAX_PROCESSES_SHOWN)) {
      rows.push([
        String(img.pid),
        img.ppid === undefined ? '?' : String(img.ppid),
        [...sources].join(',') + (n > 0 ? ` +${n} thread${n === 1 ? '' : 's'}` : ''),
        imageStatus(img),
        clip(img.argv ? shellQuote(img.argv) : '(unknown: no process_start)', MAX_COMMAND_WIDTH),
      ]);
    }
    lines.push(...table(rows).map((l) => `    ${l}`));
    if (processes.length > MAX_PROCESSES_SHOWN) lines.push(`    … and ${processes.length - MAX_PROCESSES_SHOWN} more`);
  }

  const total = [...run.recordsByKind.values()].reduce((a, b) => a + b, 0);
  const kinds = [...run.recordsByKind.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(`  records: ${total}${kinds.length ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);

  const problemCount = run.problems.length + run.problemsNotKept;
  if (problemCount === 0) {
    lines.push('  problems: none');
  } else {
    lines.push(`  problems: ${problemCount}`);
    const groups = problemGroups(run.problems);
    for (const g of groups.slice(0, MAX_PROBLEMS_SHOWN)) {
      lines.push(g.count === 1 ? `    ${g.severity}: ${g.where}: ${g.message}` : `    ${g.severity}: ${g.message} (${g.count} times; first at ${g.where})`);
    }
    const shown = groups.slice(0, MAX_PROBLEMS_SHOWN).reduce((n, g) => n + g.count, 0);
    if (problemCount > shown) lines.push(`    … and ${problemCount - shown} more`);
  }
  return terminalLines(lines);
}
