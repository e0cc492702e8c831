// `npm test`: builds, then runs the C tests, Maven Surefire and mocha, and ends with one
// line `N passed, N failed` over all three. Exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a command with its output passed through, and returns its status and stdout text. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('error', (err) => resolve({ status: 127, output: `${command}: ${err.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

const lastMatch = (text, re) => [...text.matchAll(re)].at(-1);

const suites = [
  {
    name: 'native shim (C)',
    command: ['make', ['-s', '-C', 'packages/native-shim', 'test']],
    count(output) {
      const m = lastMatch(output, /^(\d+) passed, (\d+) failed/gm);
      return m && { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 };
    },
  },
  {
    name: 'jvm agent, java example (Maven Surefire and Failsafe)',
    // verify, not test: Failsafe's child-JVM tests need the shaded jar that package makes.
    command: ['mvn', ['-B', '-ntp', '-f', 'pom.xml', 'verify']],
    count(output) {
      // Per-class lines carry "Time elapsed"; the per-module totals do not.
      const totals = [...output.matchAll(/Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)(.*)$/gm)]
        .filter((m) => !m[5].includes('Time elapsed'));
      if (totals.length === 0) return undefined;
      const sum = (i) => totals.reduce((acc, m) => acc + Number(m[i]), 0);
      const failed = sum(2) + sum(3);
      return { passed: sum(1) - failed - sum(4), failed, skipped: sum(4) };
    },
  },
  {
    name: 'mocha (TypeScript units and end-to-end)',
    command: ['node', ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.json']],
    count(output) {
      const n = (re) => Number(lastMatch(output, re)?.[1] ?? 0);
      const passed = n(/^\s+(\d+) passing/gm);
      const failed = n(/^\s+(\d+) failing/gm);
      return passed + failed === 0 ? undefined : { passed, failed, skipped: n(/^\s+(\d+) pending/gm) };
    },
  },
  {
    name: 'lint (prettier, eslint, clang-format, spotless; one check each)',
    command: ['node', ['scripts/format.mjs', '--check']],
    count(output) {
      const m = lastMatch(output, /^lint: (\d+) passed, (\d+) failed/gm);
      return m && { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 };
    },
  },
];

const build = await run('node', ['scripts/build.mjs']);
if (build.status !== 0) {
  console.log('build failed: no tests ran');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The HTML report is tested in a real headless Chromium; npm cannot install a browser that
// runs here (playwright's download is unreachable), so on a bare machine the tests take
// Debian's package, as root. Without it, those tests fail and say why.
const TEST_SYSTEM_PACKAGES = [{ file: '/usr/bin/chromium', pkg: 'chromium' }];
const missing = TEST_SYSTEM_PACKAGES.filter((p) => !existsSync(p.file)).map((p) => p.pkg);
if (missing.length > 0 && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log(`installing system packages the tests need: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const status = await new Promise((resolve) => {
      const child = spawn('apt-get', args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', () => resolve(127));
      child.on('close', (code) => resolve(code ?? 1));
    });
    if (status !== 0) {
      console.log(`apt-get ${args[0]} failed (exit ${status}); tests needing ${missing.join(' ')} will fail`);
      break;
    }
  }
}

// The suites start from nothing, as on a new machine: a fresh home (so the node plugin's
// transform cache and anything else kept under ~ start empty) and a fresh npm cache, whatever
// earlier runs left. Maven's repository is the one npm install filled (the JVM finds it
// through the password database, not $HOME): it holds downloaded dependencies, no apitrace state.
const fresh = mkdtempSync(join(tmpdir(), 'apitrace-npm-test-'));
const testEnv = { ...process.env, HOME: join(fresh, 'home'), npm_config_cache: join(fresh, 'npm-cache') };
for (const name of ['APITRACE_CACHE_DIR', 'XDG_CACHE_HOME', 'APITRACE_DIR', 'NODE_OPTIONS', 'LD_PRELOAD', 'JAVA_TOOL_OPTIONS']) delete testEnv[name];
mkdirSync(testEnv.HOME, { mode: 0o700 });
console.log(`tests run with HOME=${testEnv.HOME} (empty caches)`);

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const suite of suites) {
  console.log(`\n=== ${suite.name} ===`);
  const { status, output } = await run(...suite.command, testEnv);
  let counts = suite.count(output);
  if (!counts) counts = { passed: 0, failed: 1, skipped: 0 };
  else if (status !== 0 && counts.failed === 0) counts = { ...counts, failed: 1 }; // the runner itself failed
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} (exit ${status})`);
}

rmSync(fresh, { recursive: true, force: true });

console.log('\n=== summary ===');
for (const line of lines) console.log(line);
if (totals.skipped) console.log(`${totals.skipped} skipped`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
