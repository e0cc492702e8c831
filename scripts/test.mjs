// `npm test`: builds, then runs every suite (the C tests, Maven Surefire and Failsafe, and
// mocha for the node plugin, the core and the end-to-end tests) and ends with one line
// `N passed, N failed` over all of them. Exits non-zero when anything failed.
//
//   npm test                                   every suite
//   npm test -- --suite core                   one suite (repeat or comma-separate for more):
//                                              native, jvm, node, core, e2e
//   npm test -- packages/core/test/sbom/sbom-validation.test.ts
//                                              one mocha file (its .ts source or compiled .js);
//                                              its suite follows from the path
//   npm test -- --suite core --grep "SBOM"     only the mocha tests whose title matches (without
//                                              --suite: in every mocha suite)
//   npm test -- --list                         the suites and what each runs
//
// It never changes the system: what the tests need from the system is installed by
// `npm install` (scripts/setup-system.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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

// mocha's options (timeout, reporter...) come from .mocharc.json; each mocha suite names its
// own files, so --no-config keeps the config's spec list from being added to them.
const mochaConfig = JSON.parse(readFileSync(join(root, '.mocharc.json'), 'utf8'));
const mochaOptions = Object.entries(mochaConfig)
  .filter(([key]) => key !== 'spec')
  .flatMap(([key, value]) => [`--${key}`, String(value)]);

function countMocha(output) {
  const n = (re) => Number(lastMatch(output, re)?.[1] ?? 0);
  const passed = n(/^\s+(\d+) passing/gm);
  const failed = n(/^\s+(\d+) failing/gm);
  const skipped = n(/^\s+(\d+) pending/gm);
  return passed + failed + skipped === 0 ? undefined : { passed, failed, skipped };
}

/** A mocha suite: its TypeScript sources under `sources` compile to `compiled`. */
function mochaSuite(key, name, sources, compiled) {
  return {
    key,
    name,
    sources,
    compiled,
    // files: compiled .js paths (relative to the root); none means the whole suite
    command: (files, grep) => [
      'node',
      [
        'node_modules/mocha/bin/mocha.js',
        '--no-config',
        ...mochaOptions,
        ...(grep ? ['--grep', grep] : []),
        ...(files.length ? files : [`${compiled}/**/*.test.js`]),
      ],
    ],
    count: countMocha,
  };
}

// To add a suite (or a step such as a lint), add an entry: key, name, command(files, grep)
// giving [program, args], and count(output) giving { passed, failed, skipped } or undefined
// when the output shows the runner never got going.
const suites = [
  {
    key: 'native',
    name: 'native shim (C)',
    command: () => ['make', ['-s', '-C', 'packages/native-shim', 'test']],
    count(output) {
      const m = lastMatch(output, /^(\d+) passed, (\d+) failed/gm);
      return m && { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 };
    },
  },
  {
    key: 'jvm',
    name: 'jvm agent, java example (Maven Surefire and Failsafe)',
    // verify, not test: Failsafe's child-JVM tests need the shaded jar that package makes.
    command: () => ['mvn', ['-B', '-ntp', '-f', 'pom.xml', 'verify']],
    count(output) {
      // Per-class lines carry "Time elapsed"; the per-module totals do not.
      const totals = [...output.matchAll(/Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)(.*)$/gm)].filter(
        (m) => !m[5].includes('Time elapsed'),
      );
      if (totals.length === 0) return undefined;
      const sum = (i) => totals.reduce((acc, m) => acc + Number(m[i]), 0);
      const failed = sum(2) + sum(3);
      return { passed: sum(1) - failed - sum(4), failed, skipped: sum(4) };
    },
  },
  mochaSuite('node', 'node plugin (mocha)', 'packages/node-plugin/test', 'packages/node-plugin/dist/test'),
  mochaSuite('core', 'core (mocha)', 'packages/core/test', 'packages/core/dist/test'),
  mochaSuite('e2e', 'end to end (mocha)', 'test/e2e', 'test/dist/e2e'),
  {
    key: 'lint',
    name: 'lint (prettier, eslint, clang-format, spotless; one check each)',
    command: () => ['node', ['scripts/format.mjs', '--check']],
    count(output) {
      const m = lastMatch(output, /^lint: (\d+) passed, (\d+) failed/gm);
      return m && { passed: Number(m[1]), failed: Number(m[2]), skipped: 0 };
    },
  },
];

function usage(problem) {
  if (problem) console.log(`npm test: ${problem}`);
  console.log('usage: npm test [-- [--suite NAME[,NAME...]]... [--grep PATTERN] [mocha test file...]]');
  console.log(`suites: ${suites.map((s) => s.key).join(', ')} (npm test -- --list says what each runs)`);
  process.exit(2);
}

let options;
try {
  options = parseArgs({
    allowPositionals: true,
    options: { suite: { type: 'string', multiple: true }, grep: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (err) {
  usage(err.message);
}
if (options.values.help) usage();
if (options.values.list) {
  for (const s of suites) console.log(`${s.key.padEnd(7)} ${s.name}${s.sources ? `: ${s.sources}/**/*.test.ts` : ''}`);
  process.exit(0);
}

// The suites asked for, each with the mocha files asked for (none: all of its files).
const chosen = new Map();
for (const key of (options.values.suite ?? []).flatMap((v) => v.split(','))) {
  const suite = suites.find((s) => s.key === key);
  if (!suite) usage(`no suite ${JSON.stringify(key)}`);
  chosen.set(suite, []);
}
for (const file of options.positionals) {
  const path = relative(root, resolve(process.env.INIT_CWD ?? process.cwd(), file));
  const suite = suites.find((s) => s.sources && (path.startsWith(`${s.sources}/`) || path.startsWith(`${s.compiled}/`)));
  if (!suite)
    usage(
      `${file}: not a test file of a mocha suite (${suites
        .filter((s) => s.sources)
        .map((s) => s.sources)
        .join(', ')})`,
    );
  if (options.values.suite && !chosen.has(suite)) usage(`${file} belongs to suite ${suite.key}, not to --suite ${options.values.suite.join(',')}`);
  const compiled = path.startsWith(`${suite.sources}/`) ? suite.compiled + path.slice(suite.sources.length).replace(/\.ts$/, '.js') : path;
  if (!existsSync(join(root, suite.sources + compiled.slice(suite.compiled.length).replace(/\.js$/, '.ts')))) usage(`${file}: no such test file`);
  chosen.set(suite, [...(chosen.get(suite) ?? []), compiled]);
}
if (options.values.grep && [...chosen.keys()].some((s) => !s.sources)) usage('--grep applies to mocha suites only (node, core, e2e)');
// --grep alone: every mocha suite, filtered
const selected = chosen.size > 0 ? suites.filter((s) => chosen.has(s)) : suites.filter((s) => !options.values.grep || s.sources);

const build = await run('node', ['scripts/build.mjs']);
if (build.status !== 0) {
  console.log('build failed: no tests ran');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The mocha suites run the shim's C test programs; the native suite builds them too, but a
// mocha suite run alone must not depend on it having run first.
if (selected.some((s) => s.sources)) {
  const programs = await run('make', ['-s', '-C', 'packages/native-shim', 'programs']);
  if (programs.status !== 0) {
    console.log('building the native test programs failed: no tests ran');
    console.log('0 passed, 1 failed');
    process.exit(1);
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
for (const suite of selected) {
  console.log(`\n=== ${suite.name} ===`);
  const { status, output } = await run(...suite.command(chosen.get(suite) ?? [], options.values.grep), testEnv);
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
