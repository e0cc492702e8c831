// What `apitrace run` costs a short command: bare vs. apitrace with every plugin vs. the
// launcher alone (all plugins off: its fixed cost) vs. strace -f (the usual "what does this
// process do" anchor), alternating runs, ratios to bare.
// Usage: node bench/launch-overhead.mjs [rounds]   (run `npm install` first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 15);
const cli = fileURLToPath(new URL('../packages/core/bin/apitrace.js', import.meta.url));
const hasStrace = spawnSync('strace', ['-V']).status === 0;

const workloads = {
  'sh -c true': ['sh', '-c', 'true'],
  'node -e 0': ['node', '-e', '0'],
  'java -version': ['java', '-version'],
};

function timeOnce(argv) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
const fmt = (n) => n.toFixed(2);

const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-'));
console.log(`launch overhead, ${rounds} alternating rounds per workload (ms; ratio = variant / bare median)`);
for (const [name, argv] of Object.entries(workloads)) {
  const variants = {
    bare: () => argv,
    apitrace: (i) => [process.execPath, cli, 'run', '--out', join(work, `${name.replaceAll(/\W/g, '_')}-${i}`), '--', ...argv],
    launcher: (i) => [
      process.execPath,
      cli,
      'run',
      '--no-native',
      '--no-node',
      '--no-jvm',
      '--out',
      join(work, `${name.replaceAll(/\W/g, '_')}-l${i}`),
      '--',
      ...argv,
    ],
    ...(hasStrace ? { 'strace -f': () => ['strace', '-f', '-qq', '-o', '/dev/null', ...argv] } : {}),
  };
  const times = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [variant, argvFor] of Object.entries(variants)) times[variant].push(timeOnce(argvFor(i)));
  }
  const bare = stats(times.bare).median;
  for (const [variant, xs] of Object.entries(times)) {
    const s = stats(xs);
    console.log(
      `${name.padEnd(14)} ${variant.padEnd(10)} min ${fmt(s.min).padStart(8)}  median ${fmt(s.median).padStart(8)}  max ${fmt(s.max).padStart(8)}  ratio ${fmt(s.median / bare)}x`,
    );
  }
}
if (!hasStrace) console.log('strace not installed: anchor skipped (apt-get install strace)');
rmSync(work, { recursive: true, force: true });
