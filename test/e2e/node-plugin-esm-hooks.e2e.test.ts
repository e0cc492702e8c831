// When the node plugin starts Node 20's ES module hooks thread: at start-up for a program that
// starts as an ES module, and for a CommonJS program only once an ES module can load (a real
// `import()`, or require() of an ES module that imports one). Each program runs bare and traced
// with the same output, and what it loaded after the hooks came late is probed and wrapped as
// if they had been there from the start. Whether the hooks thread runs is read from inside the
// program: process.report lists the process's worker threads, the hooks thread among them.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_PLUGIN } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';

type Files = Record<string, string>;
type EventRecord = Record<string, unknown>;
interface InventoryFunction {
  name: string;
  hits: number;
}

const WORKERS = 'process.report.getReport().workers.length';

function writeFiles(root: string, files: Files): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function readRecords(dir: string): EventRecord[] {
  return readdirSync(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as EventRecord),
  );
}

function hitsOf(records: EventRecord[], pathEnd: string): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const r of records) {
    if (r['kind'] !== 'function_inventory' || !`${String(r['unit'])}/${String(r['scope'])}`.endsWith(pathEnd)) continue;
    for (const f of r['functions'] as InventoryFunction[]) hits[f.name] = (hits[f.name] ?? 0) + f.hits;
  }
  return hits;
}

const apis = (records: EventRecord[]): Set<string> => new Set(records.filter((r) => r['kind'] === 'api_usage').map((r) => String(r['api'])));

describe('node plugin: when the ES module hooks start (end to end)', function () {
  this.timeout(120_000);
  let work: string;
  let cache: string;

  before(() => {
    work = tempDir('node-esm-hooks');
    cache = join(work, 'cache');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** Runs `entry` bare, then traced twice (the first fills the empty cache); the traced runs print what bare prints. */
  async function compare(name: string, files: Files, entry: string): Promise<{ bare: Finished; records: EventRecord[] }> {
    const app = join(work, name);
    writeFiles(app, { 'package.json': JSON.stringify({ name: `app-${name}`, version: '1.0.0', private: true }), ...files });
    const bare = await runProgram('node', [entry], { cwd: app, env: cleanEnv() });
    assert.equal(bare.status, 0, bare.stderr);
    let records: EventRecord[] = [];
    for (const round of ['cold', 'warm']) {
      const run = join(work, `${name}-${round}`);
      mkdirSync(run);
      const traced = await runProgram('node', ['--import', NODE_PLUGIN, entry], { cwd: app, env: cleanEnv({ APITRACE_DIR: run, APITRACE_CACHE_DIR: cache }) });
      // cold, the transform thread is a worker too: only the warm run's count says which hooks ran
      if (round === 'warm') assert.equal(traced.stdout, bare.stdout, `${round}: stdout differs; traced stderr: ${traced.stderr}`);
      assert.equal(traced.status, bare.status, traced.stderr);
      records = readRecords(run);
    }
    return { bare, records };
  }

  it('a CommonJS program whose import( are all in comments and strings never starts the hooks thread', async () => {
    const { bare, records } = await compare(
      'cjs-only',
      {
        'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', main: 'index.js' }),
        'node_modules/dep/index.js': [
          '/** @param {import("./types").Options} options */',
          'exports.twice = function twice(options) { return options.n * 2; };',
          'exports.text = "call import(x) to load";',
        ].join('\n'),
        'main.js': `const dep = require('dep');\nfunction main() { console.log(dep.twice({ n: 21 }), ${WORKERS}); }\nmain();\n`,
      },
      'main.js',
    );
    assert.equal(bare.stdout, '42 0\n');
    assert.deepEqual(hitsOf(records, '/main.js'), { main: 1 });
    assert.deepEqual(hitsOf(records, '/dep/index.js'), { twice: 1 });
    assert.ok(apis(records).has('npm:dep.twice'), 'the CommonJS package was wrapped');
  });

  it('a CommonJS program starts the hooks before its first import(): the ES modules it loads are probed and wrapped', async () => {
    const { bare, records } = await compare(
      'cjs-import',
      {
        'node_modules/esm-dep/package.json': JSON.stringify({ name: 'esm-dep', version: '1.0.0', type: 'module', exports: './index.js' }),
        'node_modules/esm-dep/index.js': 'import { shout } from "./shout.js";\nexport function greet(n) { return shout(`hi ${n}`); }\n',
        'node_modules/esm-dep/shout.js': 'export const shout = (s) => s.toUpperCase();\n',
        'main.js': `async function main() { const { greet } = await import('esm-dep'); console.log(greet('x'), greet('y')); }\nmain();\n`,
      },
      'main.js',
    );
    assert.equal(bare.stdout, 'HI X HI Y\n');
    assert.deepEqual(hitsOf(records, '/esm-dep/index.js'), { greet: 2 });
    assert.deepEqual(hitsOf(records, '/esm-dep/shout.js'), { shout: 2 });
    assert.ok(apis(records).has('npm:esm-dep.greet'), 'the ES module package was wrapped');
  });

  it('require() of an ES module starts the hooks only when it imports one: module-sync wrappers of CommonJS do not', async () => {
    const { bare, records } = await compare(
      'require-esm',
      {
        'node_modules/sync-wrap/package.json': JSON.stringify({
          name: 'sync-wrap',
          version: '1.0.0',
          exports: { '.': { 'module-sync': './require.mjs', default: './index.js' } },
        }),
        'node_modules/sync-wrap/index.js': 'module.exports = function wrapped() { return "wrapped"; };\n',
        'node_modules/sync-wrap/require.mjs': 'import wrapped from "./index.js";\nexport default wrapped;\nexport { wrapped as "module.exports" };\n',
        'lib/top.mjs': 'import { inner } from "./inner.mjs";\nexport function top() { return inner(); }\n',
        'lib/inner.mjs': 'export function inner() { return "inner"; }\n',
        'main.js': [
          'const wrapped = require("sync-wrap");',
          `const before = ${WORKERS};`,
          'const { top } = require("./lib/top.mjs");',
          `console.log(wrapped(), before, top());`,
        ].join('\n'),
      },
      'main.js',
    );
    assert.equal(bare.stdout, 'wrapped 0 inner\n');
    assert.deepEqual(hitsOf(records, '/sync-wrap/index.js'), { wrapped: 1 });
    assert.deepEqual(hitsOf(records, '/lib/top.mjs'), { top: 1 });
  });

  it('an ES module program has the hooks from the start', async () => {
    const app = join(work, 'esm-entry');
    writeFiles(app, { 'package.json': '{"private":true}', 'main.mjs': `function main() { return ${WORKERS}; }\nconsole.log(main());\n` });
    const run = join(work, 'esm-entry-run');
    mkdirSync(run);
    const env = cleanEnv({ APITRACE_DIR: run, APITRACE_CACHE_DIR: cache });
    await runProgram('node', ['--import', NODE_PLUGIN, 'main.mjs'], { cwd: app, env }); // fills the cache
    const traced = await runProgram('node', ['--import', NODE_PLUGIN, 'main.mjs'], { cwd: app, env });
    assert.equal(traced.stdout, '1\n', 'the hooks thread is the one worker');
    assert.deepEqual(hitsOf(readRecords(run), '/main.mjs'), { main: 2 });
  });
});
