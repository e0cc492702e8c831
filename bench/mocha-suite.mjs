// A project's test suite under `apitrace run`, the way CI runs it: `npx mocha` over about a
// thousand tests that exercise real packages (lodash, semver, validator, qs, dayjs, date-fns,
// js-yaml, marked, zod, uuid) and node's fs and crypto, bare vs. `apitrace run` (every plugin,
// SBOMs written, start to summary) with a warm and a cold transform cache vs. the anchor,
// import-in-the-middle wrapping every module. Alternating rounds; ratios of medians to bare.
// Usage: node bench/mocha-suite.mjs [rounds]   (after `npm install`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printRatios, runAlternating } from './alternating.mjs';

const rounds = Number(process.argv[2] ?? 5);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const repo = here('../');
const cli = join(repo, 'packages/core/bin/apitrace.js');
const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-mocha-'));
const project = join(work, 'project');

// One file per package, 100 tests each; two are ES modules (mocha imports those).
const suites = {
  'lodash.test.js': [
    "const _ = require('lodash');",
    (i) => `assert.equal(_.clamp(${i}, 10, 50), Math.min(50, Math.max(10, ${i}))); assert.deepEqual(_.chunk([${i}, 1, 2], 2).length, 2);`,
  ],
  'semver.test.js': [
    "const semver = require('semver');",
    (i) => `assert.ok(semver.satisfies('1.${i}.0', '>=1.0.0')); assert.equal(semver.inc('1.${i}.0', 'minor'), '1.${i + 1}.0');`,
  ],
  'validator.test.js': [
    "const validator = require('validator');",
    (i) => `assert.ok(validator.isEmail('user${i}@example.com')); assert.ok(!validator.isIP('300.1.1.${i}'));`,
  ],
  'qs.test.js': ["const qs = require('qs');", (i) => `assert.deepEqual(qs.parse('a[b]=${i}&c=d'), { a: { b: '${i}' }, c: 'd' });`],
  'dayjs.test.js': [
    "const dayjs = require('dayjs');",
    (i) => `assert.equal(dayjs('2026-01-01').add(${i}, 'day').format('YYYY'), ${i} < 365 ? '2026' : '2027');`,
  ],
  'yaml.test.js': ["const yaml = require('js-yaml');", (i) => `assert.deepEqual(yaml.load('n: ${i}\\nlist: [a, b]'), { n: ${i}, list: ['a', 'b'] });`],
  'files.test.js': [
    "const fs = require('node:fs'); const crypto = require('node:crypto'); const os = require('node:os'); const path = require('node:path');",
    (i) =>
      `const f = path.join(os.tmpdir(), 'apitrace-bench-' + process.pid + '-${i}'); fs.writeFileSync(f, 'x${i}'); assert.equal(crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex').length, 64); fs.unlinkSync(f);`,
  ],
  'uuid.test.js': ["const { v4, validate } = require('uuid');", (i) => `assert.ok(validate(v4())); assert.equal(${i} + 0, ${i});`],
  'marked.test.mjs': ["import { marked } from 'marked';", (i) => `assert.match(marked.parse('# title ${i}'), /<h1[^>]*>title ${i}<\\/h1>/);`],
  'zod.test.mjs': ["import { z } from 'zod';", (i) => `assert.equal(z.object({ n: z.number().max(1000) }).parse({ n: ${i} }).n, ${i});`],
};

mkdirSync(join(project, 'test'), { recursive: true });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-suite', version: '1.0.0', private: true }));
symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
for (const [file, [header, body]] of Object.entries(suites)) {
  const esm = file.endsWith('.mjs');
  const tests = Array.from({ length: 100 }, (_, i) => `  it('case ${i}', () => { ${body(i)} });`).join('\n');
  const assertImport = esm ? "import { strict as assert } from 'node:assert';" : "const assert = require('node:assert/strict');";
  writeFileSync(join(project, 'test', file), `${assertImport}\n${header}\n\ndescribe('${file}', () => {\n${tests}\n});\n`);
}

const env = (home) => {
  const e = { ...process.env, HOME: home, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false' };
  for (const name of ['APITRACE_CACHE_DIR', 'XDG_CACHE_HOME', 'NODE_OPTIONS', 'LD_PRELOAD', 'JAVA_TOOL_OPTIONS', 'APITRACE_DIR']) delete e[name];
  return e;
};
const warmHome = join(work, 'home-warm');
mkdirSync(warmHome);

function timeOnce(command, args, environment) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: environment, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const passing = /(\d+) passing/.exec(r.stdout.toString())?.[1];
  if (r.status !== 0 || passing !== '1000') throw new Error(`${command} ${args.join(' ')}: exit ${r.status}, ${passing} passing\n${r.stderr}`);
  return ms;
}

let runNo = 0;
const traced = (home) => timeOnce(process.execPath, [cli, 'run', '--out', join(work, `run-${runNo++}`), '--', 'npx', 'mocha', 'test/'], env(home));
const variants = {
  bare: () => timeOnce('npx', ['mocha', 'test/'], env(warmHome)),
  'apitrace run, warm cache': () => traced(warmHome),
  'apitrace run, cold cache': (i) => {
    const home = join(work, `home-cold-${i}`);
    mkdirSync(home);
    return traced(home);
  },
  'iitm, every module': () => timeOnce('npx', ['mocha', 'test/'], { ...env(warmHome), NODE_OPTIONS: `--import ${here('./node-startup-iitm.mjs')}` }),
};

traced(warmHome); // fills the warm cache
printRatios(`npx mocha, 1000 tests over 10 packages, ${rounds} alternating rounds`, runAlternating(variants, rounds));
rmSync(work, { recursive: true, force: true });
