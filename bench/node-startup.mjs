// Start-up cost of the Node plugin on a large dependency graph (node-startup-app.mjs): bare vs.
// the plugin with a cold transform cache vs. a warm one vs. import-in-the-middle wrapping every
// module (the anchor) vs. pass-through module.register() hooks (what any off-thread hook costs
// on Node 20), alternating runs, ratios of medians to bare. Wall time, then CPU time (user +
// system of each run, every thread), which a loaded machine disturbs less.
// Usage: node bench/node-startup.mjs [rounds]   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printRatios, runAlternating } from './alternating.mjs';

const rounds = Number(process.argv[2] ?? 5);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const app = here('./node-startup-app.mjs');
// APITRACE_BENCH_PLUGIN: another build of the plugin, to compare before and after a change
const plugin = process.env['APITRACE_BENCH_PLUGIN'] ?? here('../packages/node-plugin/dist/src/index.js');
const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-startup-'));
const warmCache = join(work, 'warm-cache');

/** CPU time of the children waited for so far, ms (cutime + cstime of /proc/self/stat). */
function childCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
}

const cpu = {};
function timeOnce(args, env = {}, name = undefined) {
  const cpuBefore = childCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (name !== undefined) (cpu[name] ??= []).push(childCpuMs() - cpuBefore);
  return ms;
}

let runNo = 0;
const traced = (cache) => {
  const dir = join(work, `run-${runNo++}`);
  spawnSync('mkdir', ['-p', dir]);
  return { APITRACE_DIR: dir, APITRACE_CACHE_DIR: cache };
};

const variants = {
  bare: () => timeOnce([app], {}, 'bare'),
  'plugin, cold cache': (i) => timeOnce(['--import', plugin, app], traced(join(work, `cold-${i}`)), 'plugin, cold cache'),
  'plugin, warm cache': () => timeOnce(['--import', plugin, app], traced(warmCache), 'plugin, warm cache'),
  'iitm, every module': () => timeOnce(['--import', here('./node-startup-iitm.mjs'), app], {}, 'iitm, every module'),
  'no-op hooks (floor)': () => timeOnce(['--import', here('./node-startup-noop-hooks.mjs'), app], {}, 'no-op hooks (floor)'),
};

timeOnce(['--import', plugin, app], traced(warmCache)); // fills the warm cache
printRatios(`start-up of date-fns (ESM) + a large CommonJS tree, ${rounds} alternating rounds`, runAlternating(variants, rounds));
printRatios('the same runs, CPU time (user + system, all threads)', cpu);
rmSync(work, { recursive: true, force: true });
