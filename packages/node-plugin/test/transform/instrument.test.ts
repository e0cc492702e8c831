import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { HITS_BINDING, instrument, REGISTRY_SYMBOL } from '../../src/transform/instrument.js';
import { ModuleTransformer, MAX_TRANSFORM_BYTES } from '../../src/transform/module-transformer.js';
import { TransformCache, transformCacheLocation } from '../../src/transform/transform-cache.js';

const source = [
  '"use strict";',
  'function declared(a, b) { return a + b; }',
  'const arrow = (x) => ({ x });',
  'const fnExpr = function () {',
  '  "use strict";',
  '  return this;',
  '};',
  'class Shape {',
  '  constructor(n) { this.n = n; }',
  '  get size() { return this.n; }',
  '  set size(v) { this.n = v; }',
  '  static make() { return new Shape(1); }',
  '  area = () => this.n * 2;',
  '}',
  'const obj = { method() { return 1; }, get value() { return 2; } };',
  'module.exports = { declared, arrow, fnExpr, Shape, obj };',
].join('\n');

interface Registered {
  locator: string;
  table: [string, number, number][];
  hits: Uint32Array;
}

/** Runs CommonJS code with a probe registry and returns its exports and what registered. */
function runCommonJs(code: string, filename: string): { exports: Record<string, any>; registered: Registered[] } {
  const registered: Registered[] = [];
  const registry = {
    register(locator: string, table: string, count: number) {
      const hits = new Uint32Array(count);
      registered.push({ locator, table: JSON.parse(table), hits });
      return hits;
    },
  };
  const module = { exports: {} as Record<string, any> };
  const globals: Record<string | symbol, unknown> = { module, exports: module.exports, __filename: filename, Uint32Array, Symbol };
  globals['globalThis'] = { [Symbol.for(REGISTRY_SYMBOL)]: registry };
  runInNewContext(`(function (exports, module, __filename) {${code}\n})(exports, module, __filename)`, globals);
  return { exports: module.exports, registered };
}

describe('node-plugin probe transform', () => {
  it('probes every function, method, accessor, arrow and constructor with its name and line', () => {
    const { functions } = instrument(source, 'commonjs', '/app/shapes.js');
    assert.deepEqual(
      functions.map(([name, line]) => `${name}@${line}`),
      ['declared@2', 'arrow@3', 'fnExpr@4', 'Shape@9', 'get Shape.size@10', 'set Shape.size@11', 'Shape.make@12', 'Shape.area@13', 'method@15', 'get value@15'],
    );
  });

  it('moves no line: every original line keeps its number', () => {
    const { code } = instrument(source, 'commonjs', '/app/shapes.js');
    const before = source.split('\n');
    const after = code.split('\n');
    assert.ok(after.length > before.length, 'declarations appended at the end');
    const probeCall = /\(__apitrace\$h\|\|__apitrace\$i\(\)\)\[\d+\]\+\+|__apitrace\$h\[\d+\]\+\+|const __apitrace\$h=__apitrace\$i\(\)/g;
    const bare = (line: string): string => line.replace(probeCall, '').replace(/[\s;(),]/g, '');
    for (let i = 0; i < before.length; i++) assert.equal(bare(after[i]!), bare(before[i]!), `line ${i + 1}`);
  });

  it('keeps behaviour: values, `this`, directives, accessors, and counts each entry', () => {
    const { code } = instrument(source, 'commonjs', '/app/shapes.js');
    const { exports, registered } = runCommonJs(code, '/app/shapes.js');
    assert.equal(exports['declared'](2, 3), 5);
    assert.equal(exports['arrow'](7).x, 7);
    assert.equal(exports['fnExpr'].call(undefined), undefined, '"use strict" is still a directive');
    const shape = new exports['Shape'](4);
    shape.size = 5;
    assert.equal(shape.size, 5);
    assert.equal(shape.area(), 10);
    assert.equal(exports['Shape'].make().n, 1);
    assert.equal(exports['declared'].length, 2);
    assert.equal(registered.length, 1);
    assert.equal(registered[0]!.locator, '/app/shapes.js');
    const hits = Object.fromEntries(registered[0]!.table.map(([name], i) => [name, registered[0]!.hits[i]]));
    assert.deepEqual(hits, {
      declared: 1,
      arrow: 1,
      fnExpr: 1,
      Shape: 2,
      'get Shape.size': 1,
      'set Shape.size': 1,
      'Shape.make': 1,
      'Shape.area': 1,
      method: 0,
      'get value': 0,
    });
  });

  it('counts a function called before the module body ran (hoisting, circular imports)', () => {
    const code = instrument('exports.early = early();\nfunction early() { return 42; }\n', 'commonjs', '/app/early.js').code;
    const { exports, registered } = runCommonJs(code, '/app/early.js');
    assert.equal(exports['early'], 42);
    assert.equal(registered[0]!.hits[0], 1);
  });

  it('fetches the hit array before any code of a CommonJS file, after its hashbang and directives', () => {
    const init = 'const __apitrace$h=__apitrace$i();';
    assert.ok(
      instrument('#!/usr/bin/env node\nconst f = () => 1;\n', 'commonjs', '/app/bin.js').code.startsWith(
        `#!/usr/bin/env node\n${init}const f = () => (__apitrace$h[0]++,1);\n`,
      ),
    );
    assert.ok(
      instrument('"use strict"\nfunction f() {}\n', 'commonjs', '/app/s.js').code.startsWith(`"use strict";${init}\nfunction f() {__apitrace$h[0]++;}\n`),
    );
    assert.ok(instrument('/* c */ function f() {}\n', 'commonjs', '/app/c.js').code.startsWith(`${init}/* c */ function f() {__apitrace$h[0]++;}\n`));
    // a function run before the module body is possible only in an ES module: its probe fetches the array itself
    assert.match(
      instrument('export function f() {}\n', 'module', '/app/m.mjs').code,
      /^export function f\(\) \{\(__apitrace\$h\|\|__apitrace\$i\(\)\)\[0\]\+\+;\}\n\nvar __apitrace\$h;/,
    );
  });

  it('uses import.meta.url in ES modules and keeps a file of no functions as it was', () => {
    assert.match(instrument('export const f = () => 1;\n', 'module', '/app/m.mjs').code, /register\(import\.meta\.url,/);
    assert.equal(instrument('export const x = 1;\n', 'module', '/app/c.mjs').code, 'export const x = 1;\n');
  });

  it('appends an inline source map unless the file names its own', () => {
    assert.match(instrument('function f() {}\n', 'commonjs', '/app/a.js').code, /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,/);
    const own = instrument('function f() {}\n//# sourceMappingURL=a.js.map\n', 'commonjs', '/app/a.js').code;
    assert.equal(own.match(/sourceMappingURL/g)?.length, 1);
  });
});

describe('node-plugin module transformer and cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apitrace-transform-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('caches by content: the second transform of the same file is read from disk', () => {
    const transformer = new ModuleTransformer(new TransformCache({ dir: join(dir, 'cache') }));
    const first = transformer.transform('function f() { return 1; }\n', '/app/f.js', 'commonjs');
    const second = new ModuleTransformer(new TransformCache({ dir: join(dir, 'cache') })).transform('function f() { return 1; }\n', '/other/f.js', 'commonjs');
    assert.equal(first.status, 'transformed');
    assert.equal(second.status, 'transformed');
    assert.equal(first.status === 'transformed' && first.cached, false);
    assert.equal(second.status === 'transformed' && second.cached, true);
    assert.equal(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.js')).length, 1);
    const changed = transformer.transform('function f() { return 2; }\n', '/app/f.js', 'commonjs');
    assert.equal(changed.status === 'transformed' && changed.cached, false);
  });

  it('loads a file it cannot parse untouched and says why', () => {
    const transformer = new ModuleTransformer(new TransformCache({ dir: join(dir, 'cache') }));
    const broken = 'function (\n';
    const outcome = transformer.transform(broken, '/app/broken.js', 'commonjs');
    assert.equal(outcome.status, 'untouched');
    assert.equal(outcome.code, broken);
    assert.equal(outcome.status === 'untouched' && outcome.code_name, 'transform_failed');
  });

  it('leaves a file that declares the probe names itself untouched', () => {
    const transformer = new ModuleTransformer(new TransformCache({ dir: join(dir, 'cache') }));
    const own = `var ${HITS_BINDING} = 1;\nfunction f() {}\n`;
    const outcome = transformer.transform(own, '/app/own.js', 'commonjs');
    assert.equal(outcome.status, 'untouched');
    assert.equal(outcome.code, own);
  });

  it('skips files too large to transform at start-up', () => {
    const transformer = new ModuleTransformer(new TransformCache({ dir: join(dir, 'cache') }));
    const huge = `function f() {}\n//${'x'.repeat(MAX_TRANSFORM_BYTES)}\n`;
    const outcome = transformer.transform(huge, '/app/huge.js', 'commonjs');
    assert.equal(outcome.status === 'untouched' && outcome.code_name, 'transform_skipped');
  });

  it('works without a writable cache: says so once, then keeps transforms in memory', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const said: string[] = [];
    const transformer = new ModuleTransformer(new TransformCache({ dir: join(file, 'cache') }, { unusable: (message) => said.push(message) }));
    const outcome = transformer.transform('function f() {}\n', '/app/f.js', 'commonjs');
    assert.equal(outcome.status, 'transformed');
    const again = transformer.transform('function f() {}\n', '/app/f.js', 'commonjs');
    assert.equal(again.status === 'transformed' && again.cached, true);
    transformer.transform('function g() {}\n', '/app/g.js', 'commonjs');
    assert.equal(said.length, 1);
    assert.match(said[0]!, /cannot be written \(ENOTDIR\); files are transformed in memory/);
  });

  it('never creates a missing home directory, and says which directory it created', () => {
    const created: string[] = [];
    const home = join(dir, 'home');
    const missingHome = new TransformCache({ dir: join(home, '.cache', 'apitrace', 'transform'), within: home }, { created: (d) => created.push(d) });
    new ModuleTransformer(missingHome).transform('function f() {}\n', '/app/f.js', 'commonjs');
    assert.deepEqual(readdirSync(dir), []);
    mkdirSync(home);
    const existingHome = new TransformCache({ dir: join(home, '.cache', 'apitrace', 'transform'), within: home }, { created: (d) => created.push(d) });
    new ModuleTransformer(existingHome).transform('function f() {}\n', '/app/f.js', 'commonjs');
    assert.deepEqual(created, [join(home, '.cache')]);
  });

  it('puts the cache under APITRACE_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    assert.deepEqual(transformCacheLocation({ APITRACE_CACHE_DIR: '/c' }), { dir: '/c' });
    assert.deepEqual(transformCacheLocation({ XDG_CACHE_HOME: '/x/c' }), { dir: '/x/c/apitrace/transform', within: '/x' });
    assert.match(transformCacheLocation({}).dir, /\/\.cache\/apitrace\/transform$/);
  });
});
