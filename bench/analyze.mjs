// Analysis throughput: generates a synthetic run of N records (default 10,000,000) shaped like a
// real one (per process a node file with spans and stacks, and a native file with code units,
// aggregated api_usage and sampled calls, some on the span's thread, some on a pool thread),
// then times the whole analysis (`apitrace sbom`: read, validate, merge, model, render, validate
// the document) and reports records/s and peak RSS. Anchors: `apitrace report` (the reader
// alone), Node's readline with JSON.parse per line (what parsing alone costs in Node), jq
// reading every record (`jq -c .kind`) and `wc -l` (the cost of touching every byte once). Runs
// alternate. Besides wall-clock records/s it prints records per CPU second (user + sys), which a
// busy shared machine distorts less.
// Usage: node bench/analyze.mjs [records] [rounds]
// With BASELINE_CLI=<another checkout>/packages/core/bin/apitrace.js it also runs that build's
// `apitrace sbom`, alternating with this one's: before/after under the same machine load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeRecords, processStartLine } from './synthetic-native.mjs';
import { writeLines } from './write-lines.mjs';

const records = Number(process.argv[2] ?? 10_000_000);
const rounds = Number(process.argv[3] ?? 3);
const cli = fileURLToPath(new URL('../packages/core/bin/apitrace.js', import.meta.url));
const processes = 8;
const dir = mkdtempSync(join(tmpdir(), 'apitrace-analyze-bench-'));

const start = (pid, source, runtime) => processStartLine({ pid, source, runtime, cwd: '/srv/app' });
const perProcess = Math.floor(records / processes);
for (let p = 0; p < processes; p++) {
  const pid = 2000 + p;
  const spans = Math.floor(perProcess * 0.1);
  await writeLines(join(dir, `${pid}-node-0.jsonl`), function* () {
    yield start(pid, 'node', { name: 'node', version: '20.20.2' });
    for (let s = 1; s <= 50; s++) {
      yield JSON.stringify({
        kind: 'stack',
        id: s,
        frames: [
          { lang: 'js', fn: `handler${s}`, file: '/srv/app/routes.js', line: s, col: 3, unit: '/srv/app' },
          { lang: 'js', fn: 'main', file: '/srv/app/app.js', line: 2, col: 1, unit: '/srv/app' },
        ],
      });
    }
    for (let i = 0; i < spans - 51; i++) {
      const t0 = 10_000 + i * 1000;
      yield JSON.stringify({
        kind: 'call',
        api: 'node:fs.readFileSync',
        category: 'file',
        tid: pid,
        t0,
        t1: t0 + 500,
        stack: 1 + (i % 50),
        caller: '/srv/app',
        args: { path: `/data/file-${i % 97}` },
        result: { ret: 'buffer(7)' },
      });
    }
  });
  await writeLines(join(dir, `${pid}-native-0.jsonl`), () =>
    nativeRecords({
      pid,
      startLine: start(pid, 'native', { name: 'glibc', version: '2.36' }),
      count: perProcess - spans - 3,
      usageCaller: '/usr/lib/x86_64-linux-gnu/libz.so.1',
      codeUnits: [
        { t: 1001, path: '/usr/lib/x86_64-linux-gnu/libz.so.1', soname: 'libz.so.1', needed: ['libc.so.6'] },
        { t: 1002, path: '/lib/x86_64-linux-gnu/libc.so.6', soname: 'libc.so.6' },
      ],
    }),
  );
}
const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
console.log(`${records.toLocaleString('en')} records, ${(bytes / 1e9).toFixed(2)} GB in ${processes * 2} files; ${rounds} rounds, alternating`);

// every line of every file through readline and JSON.parse, counting records by kind
const READLINE_PARSE = `
import { createReadStream, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
const dir = process.argv[1];
const kinds = {};
for (const name of readdirSync(dir)) {
  for await (const line of createInterface({ input: createReadStream(dir + '/' + name), crlfDelay: Infinity })) {
    const kind = JSON.parse(line).kind;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
}
console.log(JSON.stringify(kinds));
`;

const variants = {
  'apitrace sbom': [process.execPath, cli, 'sbom', dir, '--format', 'cyclonedx', '-o', '-'],
  ...(process.env.BASELINE_CLI ? { 'baseline sbom': [process.execPath, process.env.BASELINE_CLI, 'sbom', dir, '--format', 'cyclonedx', '-o', '-'] } : {}),
  'apitrace report': [process.execPath, cli, 'report', dir],
  ...(process.env.BASELINE_CLI ? { 'baseline report': [process.execPath, process.env.BASELINE_CLI, 'report', dir] } : {}),
  'readline+parse': [process.execPath, '--input-type=module', '-e', READLINE_PARSE, dir],
  'jq -c .kind': ['sh', '-c', `jq -c .kind ${dir}/*.jsonl | wc -l`],
  'wc -l': ['sh', '-c', `cat ${dir}/*.jsonl | wc -l`],
};
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, argv] of Object.entries(variants)) {
    const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
    const [seconds, user, sys, kb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    results[name].push({ seconds, cpu: user + sys, mb: kb / 1024 });
  }
}
const fmt = (n) => n.toFixed(2).padStart(7);
for (const [name, rows] of Object.entries(results)) {
  const s = rows.map((x) => x.seconds).sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  const cpu = rows.map((x) => x.cpu).sort((a, b) => a - b);
  const rss = Math.max(...rows.map((x) => x.mb));
  console.log(
    `${name.padEnd(16)} s: min ${fmt(s[0])} median ${fmt(median)} max ${fmt(s.at(-1))}  ` +
      `records/s ${Math.round(records / median)
        .toLocaleString('en')
        .padStart(10)}  ` +
      `records/cpu-s ${Math.round(records / cpu[Math.floor(cpu.length / 2)])
        .toLocaleString('en')
        .padStart(10)}  peak RSS ${Math.round(rss)} MB`,
  );
}
if (process.env.KEEP_BENCH_RUN) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
