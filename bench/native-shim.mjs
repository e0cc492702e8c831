// The native shim's cost, two ways (see docs/performance-history.md, "Native shim"):
//  1. sqlite3 :memory: running a generated script of ROWS inserts (about 20 malloc and 20 free
//     calls per row: 6 million each at 300,000 rows), bare and under libapitrace.so with every
//     hook on, alternating; and ltrace -c -e malloc+free, the anchor, on a slice of LTRACE_ROWS
//     rows next to a bare run of the same slice. Wall and CPU (user+sys) time, ratios to bare.
//  2. a microbenchmark calling one hooked function in a loop on 1 and 2 threads, ns per call,
//     bare and under the shim, with a shared-atomic-counter loop for reference.
// Usage: node bench/native-shim.mjs [rounds=5] [rows=300000] [ltrace rows=30000, 0: no ltrace]
// (build first: npm run build; ltrace is installed with apt-get when missing: this is a bench)
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 5);
const rows = Number(process.argv[3] ?? 300000);
const ltraceRows = Number(process.argv[4] ?? 30000);
const shim = fileURLToPath(new URL('../packages/native-shim/build/libapitrace.so', import.meta.url));
const loopSource = fileURLToPath(new URL('native/hook_loop.c', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-native-'));

function ensureLtrace() {
  if (spawnSync('ltrace', ['-V']).status === 0) return true;
  console.log('ltrace missing: apt-get install -y ltrace');
  return spawnSync('apt-get', ['install', '-y', 'ltrace'], { stdio: 'ignore' }).status === 0;
}

function script(n) {
  const lines = ['create table t(a integer primary key, b text, c real);', 'begin;'];
  for (let i = 0; i < n; i++) lines.push(`insert into t values(${i}, 'row number ${i}', ${i}.5);`);
  lines.push('commit;', 'select count(*), sum(a) from t;');
  const file = join(work, `insert-${n}.sql`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// Wall time from here, CPU time from GNU time (the child's own user + sys).
function timeOnce(argv, stdinFile, env = {}) {
  const cpuFile = join(work, 'cpu.txt');
  const stdin = openSync(stdinFile, 'r');
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, ...argv], {
    stdio: [stdin, 'ignore', 'ignore'],
    env: { ...process.env, ...env },
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  closeSync(stdin);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
  return { wall, cpu: (user + sys) * 1000 };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
const f = (n, d = 1) => n.toFixed(d).padStart(9);

function report(label, samples, bare) {
  for (const key of ['wall', 'cpu']) {
    const s = stats(samples.map((x) => x[key]));
    const b = stats(bare.map((x) => x[key])).median;
    console.log(`${label.padEnd(34)} ${key.padEnd(4)} ms  min ${f(s.min)}  median ${f(s.median)}  max ${f(s.max)}  ratio ${(s.median / b).toFixed(3)}x`);
  }
}

// 1. sqlite3
const full = script(rows);
const traceDir = join(work, 'run');
const shimEnv = (i) => {
  const dir = `${traceDir}-${i}`;
  execFileSync('mkdir', ['-p', '-m', '700', dir]);
  return { LD_PRELOAD: shim, APITRACE_DIR: dir };
};
console.log(`sqlite3 :memory: inserting ${rows} rows, ${rounds} alternating rounds`);
const bare = [];
const traced = [];
for (let i = 0; i < rounds; i++) {
  bare.push(timeOnce(['sqlite3', ':memory:'], full));
  traced.push(timeOnce(['sqlite3', ':memory:'], full, shimEnv(i)));
}
report('bare', bare, bare);
report('apitrace (libapitrace.so)', traced, bare);

// what the shim saw in the last traced run: the malloc and free counts
let mallocs = 0;
let frees = 0;
for (const name of readdirSync(`${traceDir}-${rounds - 1}`)) {
  for (const line of readFileSync(join(`${traceDir}-${rounds - 1}`, name), 'utf8').split('\n')) {
    if (!line.startsWith('{"kind":"api_usage"')) continue;
    const r = JSON.parse(line);
    if (r.api === 'libc:malloc') mallocs += r.count;
    if (r.api === 'libc:free') frees += r.count;
  }
}
console.log(`recorded: malloc ${mallocs}, free ${frees}`);

if (ltraceRows > 0 && ensureLtrace()) {
  const slice = script(ltraceRows);
  const sliceBare = [timeOnce(['sqlite3', ':memory:'], slice)];
  const out = join(work, 'ltrace.txt');
  const sliceLtrace = [timeOnce(['ltrace', '-c', '-e', 'malloc+free', '-o', out, 'sqlite3', ':memory:'], slice)];
  sliceBare.push(timeOnce(['sqlite3', ':memory:'], slice));
  console.log(`slice of ${ltraceRows} rows, bare twice around one ltrace run`);
  report('bare (slice)', sliceBare, sliceBare);
  report('ltrace -c -e malloc+free (slice)', sliceLtrace, sliceBare);
  const total = readFileSync(out, 'utf8').match(/([\d.]+)\s+(\d+)\s+total/);
  if (total) console.log(`ltrace: ${total[2]} calls, ${((sliceLtrace[0].wall * 1000) / Number(total[2])).toFixed(1)} us of wall time per traced call`);
}

// 2. microbenchmark
const loop = join(work, 'hook_loop');
execFileSync('gcc', ['-O2', '-pthread', '-o', loop, loopSource]);
const loopCalls = 20_000_000;
console.log(`\nmicrobenchmark: ${loopCalls} calls per thread, ns of thread CPU time per call, ${rounds} alternating rounds`);
for (const mode of ['rand_r', 'malloc', 'shared']) {
  for (const threads of [1, 2]) {
    const samples = { bare: [], apitrace: [] };
    for (let i = 0; i < rounds; i++) {
      samples.bare.push(Number(execFileSync(loop, [mode, String(threads), String(loopCalls)]).toString()));
      if (mode !== 'shared') {
        const env = { ...process.env, ...shimEnv(`loop-${mode}-${threads}-${i}`) };
        samples.apitrace.push(Number(execFileSync(loop, [mode, String(threads), String(loopCalls)], { env }).toString()));
      }
    }
    for (const [variant, xs] of Object.entries(samples)) {
      if (xs.length === 0) continue;
      const s = stats(xs);
      const b = stats(samples.bare).median;
      const extra = variant === 'apitrace' ? `  hook +${(s.median - b).toFixed(2)} ns` : '';
      console.log(
        `${mode.padEnd(7)} ${threads} thread${threads > 1 ? 's' : ' '} ${variant.padEnd(9)} min ${f(s.min, 2)}  median ${f(s.median, 2)}  max ${f(s.max, 2)}${extra}`,
      );
    }
  }
}
rmSync(work, { recursive: true, force: true });
