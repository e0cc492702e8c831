// Express throughput under load (autocannon): bare vs. the apitrace Node plugin vs.
// OpenTelemetry Node auto-instrumentation, alternating rounds, ratios of median req/s to bare.
// Also the server's CPU time per request (utime+stime from /proc/<pid>/stat over the measured
// load), which a machine shared with other work disturbs much less than req/s.
// Usage: node bench/node-express/bench.mjs [rounds] [seconds]   (after `npm run build`)
// Installs its own dependencies on first use with `npm install --prefix bench/node-express`,
// so autocannon and OpenTelemetry never weigh on the project's own install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 8);
const plugin = fileURLToPath(new URL('../../packages/node-plugin/dist/src/index.js', import.meta.url));

if (!existsSync(join(here, 'node_modules', 'autocannon'))) {
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', here], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm install --prefix bench/node-express failed');
}
if (!existsSync(plugin)) throw new Error(`${plugin} missing: run npm run build first`);
const { default: autocannon } = await import(join(here, 'node_modules', 'autocannon', 'autocannon.js'));

const variants = {
  bare: () => ({ args: [], env: {} }),
  apitrace: (dir) => ({ args: ['--import', plugin], env: { APITRACE_DIR: dir } }),
  opentelemetry: () => ({ args: ['--require', join(here, 'otel-register.cjs')], env: { OTEL_SDK_DISABLED: 'false' } }),
};

function startServer(variant, dir) {
  const { args, env } = variants[variant](dir);
  const child = spawn(process.execPath, [...args, join(here, 'app.mjs')], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${variant} server exited ${code}`)));
  });
}

/** `how`: { duration } in seconds or { amount } of requests. */
function load(port, how) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/users/42`, connections: 32, pipelining: 1, ...how }, (err, result) => {
      if (err) reject(err);
      else if (result.non2xx > 0 || result.errors > 0) reject(new Error(`${result.non2xx} non-2xx, ${result.errors} errors`));
      else resolve({ rps: result.requests.average, total: result.requests.total });
    });
  });
}

/** utime + stime of a process in clock ticks (1/100 s on Linux). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function measure(variant) {
  const dir = mkdtempSync(join(tmpdir(), 'apitrace-bench-express-'));
  const { child, port } = await startServer(variant, dir);
  try {
    // warm-up by count, not time, so every variant is as warm (JIT, first-call stacks, caches)
    await load(port, { amount: 5000 });
    const before = cpuTicks(child.pid);
    const { rps, total } = await load(port, { duration: seconds });
    const cpuUsPerRequest = ((cpuTicks(child.pid) - before) * 10_000) / total;
    return { rps, cpuUsPerRequest };
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
const cpu = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
for (let round = 1; round <= rounds; round++) {
  // alternate the order so that no variant always runs on a warmer or colder machine
  const order = round % 2 ? Object.keys(variants) : Object.keys(variants).reverse();
  for (const v of order) {
    const { rps, cpuUsPerRequest } = await measure(v);
    results[v].push(rps);
    cpu[v].push(cpuUsPerRequest);
    process.stderr.write(`round ${round} ${v}: ${rps.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(0)} us CPU/request\n`);
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1) };
};
const base = stats(results.bare).median;
console.log(`express GET /users/:id, ${rounds} rounds of ${seconds} s, 32 connections, Node ${process.versions.node}`);
for (const [v, xs] of Object.entries(results)) {
  const s = stats(xs);
  console.log(
    `${v.padEnd(14)} req/s min ${s.min.toFixed(0).padStart(6)}  median ${s.median.toFixed(0).padStart(6)}  max ${s.max.toFixed(0).padStart(6)}  ratio ${(s.median / base).toFixed(3)}x`,
  );
}
const cpuBase = stats(cpu.bare).median;
for (const [v, xs] of Object.entries(cpu)) {
  const s = stats(xs);
  console.log(
    `${v.padEnd(14)} CPU us/request min ${s.min.toFixed(0).padStart(5)}  median ${s.median.toFixed(0).padStart(5)}  max ${s.max.toFixed(0).padStart(5)}  ratio ${(s.median / cpuBase).toFixed(3)}x`,
  );
}
