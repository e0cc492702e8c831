// Reader throughput: generates a run of N records (default 1,000,000) spread over a few
// event files, then times `apitrace report` on it and reports records/s and peak RSS.
// Usage: node bench/read-run.mjs [records] [rounds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const records = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const cli = fileURLToPath(new URL('../packages/core/bin/apitrace.js', import.meta.url));
const files = 4;

const dir = mkdtempSync(join(tmpdir(), 'apitrace-read-bench-'));
let bytes = 0;
for (let f = 0; f < files; f++) {
  const pid = 1000 + f;
  const lines = [
    JSON.stringify({
      kind: 'process_start',
      v: 1,
      source: 'native',
      pid,
      ppid: 1,
      t: 1,
      wall: '2026-11-28T00:00:00.000Z',
      exe: '/usr/bin/app',
      argv: ['app'],
      cwd: '/',
      runtime: { name: 'glibc', version: '2.36' },
    }),
  ];
  for (let i = 0; i < records / files - 1; i++) {
    lines.push(
      JSON.stringify(
        i % 3 === 0
          ? {
              kind: 'call',
              api: 'libc:openat',
              category: 'file',
              tid: pid,
              t0: 1000 + i,
              t1: 2000 + i,
              args: { path: `/data/file-${i % 97}` },
              result: { ret: 3 },
            }
          : {
              kind: 'api_usage',
              api: 'libc:malloc',
              category: 'memory',
              caller: '/usr/lib/x86_64-linux-gnu/libsqlite3.so.0',
              count: 1 + (i % 50),
              first_t: i,
              last_t: i + 10,
            },
      ),
    );
  }
  const text = lines.join('\n') + '\n';
  bytes += Buffer.byteLength(text);
  writeFileSync(join(dir, `${pid}-native-0.jsonl`), text);
}

console.log(`reading ${records} records (${(bytes / 1e6).toFixed(0)} MB in ${files} files), ${rounds} rounds`);
for (let r = 0; r < rounds; r++) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, cli, 'report', dir], { encoding: 'utf8' });
  const [seconds, kb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  console.log(`round ${r + 1}: ${seconds.toFixed(2)} s, ${Math.round(records / seconds).toLocaleString('en')} records/s, peak RSS ${Math.round(kb / 1024)} MB`);
}
rmSync(dir, { recursive: true, force: true });
