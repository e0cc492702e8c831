// Express throughput under load (autocannon): bare vs. the apitrace Node plugin vs.
// OpenTelemetry Node auto-instrumentation, alternating rounds, ratios of median req/s to bare.
// Usage: node bench/node-express/bench.mjs [rounds] [seconds]   (after `npm run build`)
// Installs its own dependencies on first use with `npm install --prefix bench/node-express`,
// so autocannon and OpenTelemetry never weigh on the project's own install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
    cwd: here, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '', ...env },
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

function load(port, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/users/42`, connections: 32, pipelining: 1, duration }, (err, result) => {
      if (err) reject(err);
      else if (result.non2xx > 0 || result.errors > 0) reject(new Error(`${result.non2xx} non-2xx, ${result.errors} errors`));
      else resolve(result.requests.average);
    });
  });
}

async function measure(variant) {
  const dir = mkdtempSync(join(tmpdir(), 'apitrace-bench-express-'));
  const { child, port } = await startServer(variant, dir);
  try {
    await load(port, 2); // warm-up: JIT, transform cache, connection pools
    return await load(port, seconds);
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
for (let round = 1; round <= rounds; round++) {
  // alternate the order so that no variant always runs on a warmer or colder machine
  const order = round % 2 ? Object.keys(variants) : Object.keys(variants).reverse();
  for (const v of order) {
    const rps = await measure(v);
    results[v].push(rps);
    process.stderr.write(`round ${round} ${v}: ${rps.toFixed(0)} req/s\n`);
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
  console.log(`${v.padEnd(14)} req/s min ${s.min.toFixed(0).padStart(6)}  median ${s.median.toFixed(0).padStart(6)}  max ${s.max.toFixed(0).padStart(6)}  ratio ${(s.median / base).toFixed(3)}x`);
}
