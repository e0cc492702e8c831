// A tight loop calling a wrapped and probed package function: bare vs. the Node plugin (warm
// transform cache), alternating runs, ns per call, ratios of medians to bare.
// Usage: node bench/node-loop.mjs [rounds] [calls]   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 7);
const calls = Number(process.argv[3] ?? 2_000_000);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const app = here('./node-loop-app.cjs');
const plugin = here('../packages/node-plugin/dist/src/index.js');
const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-loop-'));
const cache = join(work, 'cache');
let runNo = 0;

function nsPerCall(workload, withPlugin) {
  const env = { ...process.env };
  const args = [app, workload, String(calls)];
  if (withPlugin) {
    env.APITRACE_DIR = join(work, `run-${runNo++}`);
    env.APITRACE_CACHE_DIR = cache;
    mkdirSync(env.APITRACE_DIR);
    args.unshift('--import', plugin);
  }
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${workload} exited ${r.status}: ${r.stderr}`);
  const [wall, cpu] = r.stdout.split(' ').map(Number);
  return { wall, cpu };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
console.log(`tight loop, ${calls} calls per run, ${rounds} alternating rounds (ns per call, wall clock and CPU time; ratio = median / bare median)`);
for (const workload of ['semver', 'ms', 'lodash.clamp']) {
  nsPerCall(workload, true); // fills the transform cache
  const times = { bare: [], apitrace: [] };
  for (let i = 0; i < rounds; i++) {
    times.bare.push(nsPerCall(workload, false));
    times.apitrace.push(nsPerCall(workload, true));
  }
  for (const measure of ['wall', 'cpu']) {
    const bare = stats(times.bare.map((t) => t[measure])).median;
    for (const [variant, ts] of Object.entries(times)) {
      const s = stats(ts.map((t) => t[measure]));
      console.log(
        `${workload.padEnd(13)} ${measure.padEnd(4)} ${variant.padEnd(9)} min ${s.min.toFixed(1).padStart(7)}  median ${s.median.toFixed(1).padStart(7)}  max ${s.max.toFixed(1).padStart(7)}  ratio ${(s.median / bare).toFixed(2)}x`,
      );
    }
  }
}
rmSync(work, { recursive: true, force: true });
