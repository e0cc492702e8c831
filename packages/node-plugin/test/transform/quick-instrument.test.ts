// The quick transform (@babel/parser and a walk of its own) must give exactly what babel's
// traverse gives: the same probed code and function table, or the same failure. Checked on
// tricky constructs and on every JavaScript file of a set of real packages, in both formats.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument, instrumentWithBabel, type ModuleFormat } from '../../src/transform/instrument.js';
import { VISITOR_KEYS } from '../../src/transform/visitor-keys.generated.js';

const require = createRequire(import.meta.url);

function outcome(run: typeof instrument, source: string, format: ModuleFormat, filename: string): unknown {
  try {
    return run(source, format, filename);
  } catch (err) {
    return { failed: err instanceof Error ? `${err.constructor.name}: ${err.message.split('\n')[0]}` : String(err) };
  }
}

function assertSameAsBabel(source: string, format: ModuleFormat, filename: string): void {
  assert.deepEqual(outcome(instrument, source, format, filename), outcome(instrumentWithBabel, source, format, filename), `${format} ${filename}`);
}

const TRICKY = [
  'class A { constructor() {} static #p() {} get x() { return 1; } set x(v) {} [k]() {} "s"() {} 1() {} #q = () => 1; static { (function inner() {})(); } }',
  'const B = class { m() {} f = function () {}; static g = async () => {}; }; export default class { m() {} }',
  'export default function () {} export const e = () => () => function named() {}; export function* gen() { yield 1; }',
  'a.b.c = function () {}; this.d = () => {}; x[y] = function () {}; const { p = () => 1 } = {}; function f(q = () => 2) {}',
  'const o = { m() {}, get g() { return 1; }, set g(v) {}, "lit": function () {}, 3: () => 4, [c]: () => 5, async *ag() {} };',
  'function d() { "use strict"; "another"; return 1 } const t = tag`${() => 1}x${function () {}}`; label: for (const v of (() => [])()) {}',
  'async function top() { for await (const x of y) {} } const n = new (class { constructor() {} })(); if (a) function sloppy() {}',
  'var v = () => ({}); var w = (a, ...r) => a; try {} catch ({ e = () => 1 }) {} switch (k) { case 1: (() => 0)(); }',
];

/** Every .js/.mjs/.cjs file under a package's directory (bounded, so the test stays short). */
function packageFiles(name: string, limit: number): string[] {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'node_modules', name, 'package.json'))) root = dirname(root);
  root = join(root, 'node_modules', name);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      if (found.length >= limit) return;
      const path = join(dir, entry);
      if (entry === 'node_modules') continue;
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (/\.[cm]?js$/.test(entry) && stat.size < 400_000) found.push(path);
    }
  };
  walk(root);
  return found;
}

describe('node-plugin quick probe transform', function () {
  this.timeout(600_000);

  it("walks the node types babel traverse walks, in its order (the generated table is the installed @babel/types')", () => {
    const types = require('@babel/types') as { VISITOR_KEYS: Record<string, string[]> };
    for (const [type, keys] of Object.entries(VISITOR_KEYS)) assert.deepEqual(keys, types.VISITOR_KEYS[type], type);
  });

  it('gives what babel gives on tricky constructs, in both formats', () => {
    for (const [i, source] of TRICKY.entries()) {
      for (const format of ['module', 'commonjs'] as const) assertSameAsBabel(source, format, `/app/tricky-${i}.js`);
    }
  });

  it('gives what babel gives where babel says no: syntax errors and the probe names declared', () => {
    for (const source of [
      'function (',
      'var __apitrace$h = 1; function f() {}',
      'var __filename = "x"; function f() {}',
      'let x = __filename; function f() {}',
      'return 1',
      'await 1; export const a = () => 1;',
    ]) {
      for (const format of ['module', 'commonjs'] as const) assertSameAsBabel(source, format, '/app/said-no.js');
    }
    assertSameAsBabel('export const m = () => 1;', 'commonjs', '/app/module-by-name.mjs');
  });

  it('gives what babel gives on every file of real packages, in both formats', () => {
    const files = ['date-fns', 'lodash', 'express', 'rxjs', 'joi', 'yargs', 'zod', 'marked', 'moment', 'fastify', 'ramda', 'validator', 'luxon'].flatMap(
      (name) => packageFiles(name, 60),
    );
    assert.ok(files.length > 500, `${files.length} files`);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const format of ['module', 'commonjs'] as const) assertSameAsBabel(source, format, file);
    }
  });
});
