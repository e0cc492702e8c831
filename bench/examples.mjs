// What apitrace costs the runnable examples, whole programs from start to exit: bare vs.
// `apitrace run` with every plugin vs. strace -f (the usual "what does this process tree
// do" anchor), alternating runs, ratios of medians to bare.
// Usage: node bench/examples.mjs [rounds] [example...]   (run `npm install` first: it builds the examples)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/core/bin/apitrace.js');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

const allExamples = {
  native: ['examples/native/build/ledger'],
  'node-express': ['node', 'examples/node-express/app.mjs'],
  polyglot: ['node', 'examples/polyglot/app.mjs'],
};
const chosen = process.argv.slice(3);
const examples = chosen.length ? Object.fromEntries(chosen.map((name) => [name, allExamples[name]])) : allExamples;
for (const [name, argv] of Object.entries(examples)) if (!argv) throw new Error(`no example ${name}: ${Object.keys(allExamples).join(', ')}`);

function timeOnce(argv) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
}

const fmt = (n) => n.toFixed(1);
const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-examples-'));
console.log(`examples, ${rounds} alternating rounds each (ms, start to exit; ratio = variant median / bare median)`);
for (const [name, argv] of Object.entries(examples)) {
  const variants = {
    bare: () => argv,
    apitrace: (i) => [process.execPath, cli, 'run', '--out', join(work, `${name}-${i}`), '--', ...argv],
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
      `${name.padEnd(13)} ${variant.padEnd(10)} min ${fmt(s.min).padStart(7)}  median ${fmt(s.median).padStart(7)}  max ${fmt(s.max).padStart(7)}  ratio ${(s.median / bare).toFixed(2)}x`,
    );
  }
}
if (!hasStrace) console.log('strace not installed: anchor skipped (apt-get install strace)');
rmSync(work, { recursive: true, force: true });
