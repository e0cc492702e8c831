// The known ways IITM/RITM/shimmer instrumentation breaks applications, each a real program run
// bare and under the Node plugin: same stdout, same stderr, same exit status. Each case also
// checks the plugin did instrument what it exercises (wrapped, probed, or counted as skipped),
// so a plugin that silently did nothing could not pass.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkEvent } from '@apitrace/core';
import { NODE_PLUGIN, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';

type Files = Record<string, string>;
type EventRecord = Record<string, unknown>;

interface Compared {
  bare: Finished;
  traced: Finished;
  records: EventRecord[];
}

const packageJson = (name: string, type: 'module' | 'commonjs' = 'commonjs'): string => JSON.stringify({ name, version: '1.0.0', type, main: 'index.js' });

function writeFiles(root: string, files: Files): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function readRecords(dir: string): EventRecord[] {
  const records: EventRecord[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as EventRecord;
      const checked = checkEvent(record);
      assert.ok(checked.ok, `${file}: ${checked.ok ? '' : checked.error}: ${line.slice(0, 300)}`);
      records.push(record);
    }
  }
  return records;
}

const apis = (records: EventRecord[]): Set<string> => new Set(records.filter((r) => r['kind'] === 'api_usage').map((r) => String(r['api'])));
const notices = (records: EventRecord[], code: string): EventRecord[] => records.filter((r) => r['kind'] === 'notice' && r['code'] === code);

describe('node plugin invariance (end to end)', function () {
  this.timeout(120_000);
  let work: string;
  let cache: string;

  before(() => {
    work = tempDir('node-invariance');
    cache = join(work, 'cache');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** Writes an application, runs `entry` bare and traced, and asserts the two runs are the same. */
  async function compare(name: string, files: Files, entry: string): Promise<Compared> {
    const app = join(work, name);
    writeFiles(app, { 'package.json': JSON.stringify({ name: `app-${name}`, version: '1.0.0', private: true }), ...files });
    const run = join(work, `${name}-run`);
    mkdirSync(run);
    const bare = await runProgram('node', [entry], { cwd: app, env: cleanEnv() });
    const traced = await runProgram('node', ['--import', NODE_PLUGIN, entry], { cwd: app, env: cleanEnv({ APITRACE_DIR: run, APITRACE_CACHE_DIR: cache }) });
    assert.equal(traced.stdout, bare.stdout, `stdout differs; traced stderr: ${traced.stderr}`);
    assert.equal(traced.stderr, bare.stderr);
    assert.equal(traced.status, bare.status);
    return { bare, traced, records: readRecords(run) };
  }

  it('keeps live bindings, duplicate and ambiguous export *, circular imports and top-level await', async () => {
    const { bare, records } = await compare(
      'esm-bindings',
      {
        'node_modules/live/package.json': packageJson('live', 'module'),
        'node_modules/live/index.js': [
          'export let counter = 0;',
          'export function bump() { counter++; }',
          'export let current = function first() { return "first"; };',
          'export function swap() { current = function second() { return "second"; }; }',
          'await Promise.resolve();',
          'export const ready = true;',
        ].join('\n'),
        'node_modules/stars/package.json': packageJson('stars', 'module'),
        'node_modules/stars/index.js': 'export * from "./a.js";\nexport * from "./b.js";\n',
        'node_modules/stars/a.js': 'export { shared } from "./shared.js";\nexport const clash = "a";\nexport const onlyA = () => "a";\n',
        'node_modules/stars/b.js': 'export { shared } from "./shared.js";\nexport const clash = "b";\nexport const onlyB = () => "b";\n',
        'node_modules/stars/shared.js': 'export function shared() { return "shared"; }\n',
        'node_modules/cycle/package.json': packageJson('cycle', 'module'),
        'node_modules/cycle/index.js':
          'import { fromOther } from "./other.js";\nexport function hoisted() { return "hoisted"; }\nexport const seen = fromOther;\n',
        'node_modules/cycle/other.js': 'import { hoisted } from "./index.js";\nexport const fromOther = hoisted();\n',
        'main.mjs': [
          'import { counter, bump, current, swap, ready } from "live";',
          'import * as stars from "stars";',
          'import { seen, hoisted } from "cycle";',
          'const out = {};',
          'bump(); bump(); out.counter = counter;',
          'swap(); out.current = current();',
          'out.ready = ready;',
          'out.stars = Object.keys(stars).sort(); out.shared = stars.shared(); out.onlyB = stars.onlyB();',
          'out.cycle = [seen, hoisted()];',
          'console.log(JSON.stringify(out));',
        ].join('\n'),
      },
      'main.mjs',
    );
    assert.deepEqual(JSON.parse(bare.stdout), {
      counter: 2,
      current: 'second',
      ready: true,
      stars: ['onlyA', 'onlyB', 'shared'],
      shared: 'shared',
      onlyB: 'b',
      cycle: ['hoisted', 'hoisted'],
    });
    assert.ok(apis(records).has('npm:cycle.hoisted'), 'cycle was wrapped');
    const live = notices(records, 'wrap_skipped').find((n) => String(n['subject']).endsWith('/live/index.js'));
    assert.match(String(live?.['message']), /live bindings a facade would freeze \(counter,current\)/);
    assert.ok(
      notices(records, 'wrap_skipped').some((n) => String(n['subject']).endsWith('/stars/index.js')),
      'several export * are left alone, and said so',
    );
    const cycle = records.find((r) => r['kind'] === 'function_inventory' && String(r['unit']).endsWith('/node_modules/cycle') && r['scope'] === 'index.js');
    assert.deepEqual(
      (cycle?.['functions'] as { name: string; hits: number }[]).find((f) => f.name === 'hoisted')?.hits,
      2,
      'the call before the module body ran was counted',
    );
  });

  it('keeps classes, new.target, instanceof, statics, subclassing, accessors, arity, this, async, generators, thenables and Promise subclasses', async () => {
    const classes = [
      '"use strict";',
      'class Base { constructor(x) { this.x = x; this.made = new.target.name; } static create(x) { return new this(x); } get double() { return this.x * 2; } set double(v) { this.x = v / 2; } }',
      'Base.answer = 42;',
      'class Abstract { constructor() { if (new.target === Abstract) throw new TypeError("abstract"); this.ok = true; } }',
      'class Private { #secret = 1; static #count = 0; static bump() { return ++Private.#count; } static viaThis() { return this.#count; } peek() { return this.#secret; } }',
      'function Legacy(a, b) { if (!(this instanceof Legacy)) return new Legacy(a, b); this.sum = a + b; }',
      'class MyPromise extends Promise {}',
      'module.exports = {',
      '  Base, Abstract, Private, Legacy, MyPromise,',
      '  errorMiddleware(err, req, res, next) { return err.message; },',
      '  named: function named(a, b, ...rest) { return rest.length; },',
      '  whoAmI() { return this; },',
      '  async twice(x) { await null; return x * 2; },',
      '  *count(n) { for (let i = 0; i < n; i++) yield i; },',
      '  thenable: { then(resolve) { resolve("thenable"); } },',
      '  makeThenable() { return { then(resolve) { resolve("made"); } }; },',
      '  frozen: Object.freeze({ f() { return "frozen"; } }),',
      '};',
      'Object.defineProperty(module.exports, "fixed", { value: function fixed() { return "fixed"; }, enumerable: true, configurable: false, writable: false });',
      'Object.defineProperty(module.exports, "lazy", { get() { return function lazy() { return "lazy"; }; }, enumerable: true });',
    ].join('\n');
    const main = [
      '"use strict";',
      'const m = require("classes");',
      'const out = {};',
      'const b = new m.Base(2);',
      'out.base = [b.made, b instanceof m.Base, m.Base.create(3).x, m.Base.create(3) instanceof m.Base, m.Base.answer, b.double];',
      'b.double = 10; out.setter = b.x;',
      'class Sub extends m.Base { constructor() { super(1); } }',
      'const s = new Sub();',
      'out.sub = [s.made, s instanceof Sub, s instanceof m.Base, Sub.create.name, Sub.answer, Object.getPrototypeOf(Sub) === m.Base];',
      'try { new m.Abstract(); } catch (e) { out.abstract = e.message; }',
      'class Concrete extends m.Abstract {}',
      'out.concrete = new Concrete().ok;',
      'out.private = [m.Private.bump(), m.Private.bump(), m.Private.viaThis(), new m.Private().peek()];',
      'out.legacy = [m.Legacy(1, 2).sum, new m.Legacy(3, 4) instanceof m.Legacy];',
      'out.arity = [m.errorMiddleware.length, m.errorMiddleware.name, m.named.length, m.named.name, m.named(1, 2, 3, 4), m.Base.length, m.Base.name];',
      'out.source = [Function.prototype.toString.call(m.Base).slice(0, 10), String(m.named).slice(0, 14), Function.prototype.toString.toString()];',
      'out.self = m.whoAmI() === m;',
      'out.gen = [...m.count(3)];',
      'out.frozen = [m.frozen.f(), Object.isFrozen(m.frozen)];',
      'out.fixed = [m.fixed(), Object.getOwnPropertyDescriptor(m, "fixed").writable];',
      'out.lazy = m.lazy();',
      'out.keys = Object.keys(m).sort();',
      '(async () => {',
      '  out.async = await m.twice(4);',
      '  out.thenable = [await m.thenable, await m.makeThenable()];',
      '  const p = m.MyPromise.resolve(1);',
      '  out.promise = [p instanceof m.MyPromise, p instanceof Promise, await p.then((x) => x + 1), (await m.MyPromise.all([1])).length];',
      '  console.log(JSON.stringify(out));',
      '})();',
    ].join('\n');
    const { bare, records } = await compare(
      'classes',
      { 'node_modules/classes/package.json': packageJson('classes'), 'node_modules/classes/index.js': classes, 'main.js': main },
      'main.js',
    );
    const out = JSON.parse(bare.stdout) as Record<string, unknown>;
    assert.deepEqual(out['sub'], ['Sub', true, true, 'create', 42, true]);
    assert.deepEqual(out['arity'], [4, 'errorMiddleware', 2, 'named', 2, 1, 'Base']);
    const used = apis(records);
    for (const api of ['npm:classes.Base', 'npm:classes.Legacy', 'npm:classes.twice', 'npm:classes.count', 'npm:classes.lazy', 'npm:classes.MyPromise'])
      assert.ok(used.has(api), `${api} counted: ${[...used].join(' ')}`);
    assert.ok(!used.has('npm:classes.Private'), 'a class with #private members is not wrapped');
    const skipped = notices(records, 'wrap_skipped').find((n) => String(n['subject']).endsWith('/node_modules/classes'));
    assert.match(String(skipped?.['message']), /non_configurable 1/);
    assert.match(String(skipped?.['message']), /private_members 1/);
  });

  it('dispatches express error middleware on arity and leaves a Proxy namespace alone', async () => {
    const express = realpathSync(join(REPO_ROOT, 'node_modules/express'));
    const app = join(work, 'express');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(express, join(app, 'node_modules/express'));
    const { bare, records } = await compare(
      'express',
      {
        'node_modules/proxied/package.json': packageJson('proxied'),
        'node_modules/proxied/index.js': 'module.exports = new Proxy({}, { get: (t, k) => (k === "hello" ? () => "hi" : undefined), ownKeys: () => [] });\n',
        'main.js': [
          'const express = require("express");',
          'const http = require("node:http");',
          'const proxied = require("proxied");',
          'const app = express();',
          'app.get("/boom", (req, res) => { throw new Error("boom"); });',
          'app.use((err, req, res, next) => { res.status(418).send(`caught ${err.message} arity ${arguments.length}`); });',
          'const server = app.listen(0, "127.0.0.1", () => {',
          '  http.get({ host: "127.0.0.1", port: server.address().port, path: "/boom" }, (res) => {',
          '    let body = ""; res.on("data", (d) => (body += d)); res.on("end", () => { console.log(res.statusCode, body, proxied.hello()); server.close(); });',
          '  });',
          '});',
        ].join('\n'),
      },
      'main.js',
    );
    assert.match(bare.stdout, /^418 caught boom/);
    assert.ok(apis(records).has('npm:express'), 'express was wrapped');
    assert.ok(
      notices(records, 'wrap_skipped').some((n) => /proxy_exports/.test(String(n['message']))),
      'the Proxy exports were skipped and counted',
    );
  });

  it('keeps err.stack and uncaught error output (file:line always, columns off one-line functions) in CommonJS and ES modules', async () => {
    const thrower = [
      'function inner() {',
      '  return new Error("where");',
      '}',
      'function outer() {',
      '  return inner();',
      '}',
      'const arrow = (x) => {',
      '  if (x) throw new Error("uncaught " + x);',
      '};',
      'const oneLine = () => { return new Error("one line"); };',
      '',
    ].join('\n');
    const { records } = await compare(
      'stacks',
      {
        'lib.cjs': `${thrower}module.exports = { outer, arrow, oneLine };\n`,
        'lib.mjs': `${thrower}export { outer, arrow, oneLine };\n`,
        'main.mjs': [
          'import { createRequire } from "node:module";',
          'import * as esm from "./lib.mjs";',
          'const cjs = createRequire(import.meta.url)("./lib.cjs");',
          'const fileLine = (stack) => stack.replace(/:(\\d+):\\d+(\\)?)$/gm, ":$1$2");',
          'console.log(cjs.outer().stack);',
          'console.log(esm.outer().stack);',
          'console.log(fileLine(cjs.oneLine().stack));',
          'console.log(fileLine(esm.oneLine().stack));',
          'esm.arrow("from esm");',
        ].join('\n'),
      },
      'main.mjs',
    );
    const lib = records.find((r) => r['kind'] === 'function_inventory' && String(r['unit']).endsWith('/stacks') && r['scope'] === 'lib.mjs');
    assert.deepEqual(
      (lib?.['functions'] as { name: string; line: number; ran: boolean }[]).map((f) => [f.name, f.line, f.ran]),
      [
        ['inner', 1, true],
        ['outer', 4, true],
        ['arrow', 7, true],
        ['oneLine', 10, true],
      ],
    );
  });

  it('follows worker threads and forked children: their functions are probed too', async () => {
    const { bare, records } = await compare(
      'workers',
      {
        'main.mjs': [
          'import { Worker } from "node:worker_threads";',
          'import { fork } from "node:child_process";',
          'const w = new Worker(new URL("./work.mjs", import.meta.url));',
          'w.on("message", (m) => {',
          '  console.log("worker", m);',
          '  fork(new URL("./child.cjs", import.meta.url)).on("message", (c) => console.log("child", c));',
          '});',
        ].join('\n'),
        'work.mjs': 'import { parentPort } from "node:worker_threads";\nfunction compute(x) {\n  return x * 2;\n}\nparentPort.postMessage(compute(21));\n',
        'child.cjs': 'function answer() {\n  return 43;\n}\nprocess.send(answer(), () => process.disconnect());\n',
      },
      'main.mjs',
    );
    assert.equal(bare.stdout, 'worker 42\nchild 43\n');
    const ran = (scope: string, name: string): boolean =>
      records.some(
        (r) =>
          r['kind'] === 'function_inventory' &&
          r['scope'] === scope &&
          (r['functions'] as { name: string; ran: boolean }[]).some((f) => f.name === name && f.ran),
      );
    assert.ok(ran('work.mjs', 'compute'), 'the worker thread probed its module');
    assert.ok(ran('child.cjs', 'answer'), 'the forked child probed its module');
  });

  it('probes CommonJS files after a hashbang and "use strict", and records none of whose functions ran', async () => {
    const { bare, records } = await compare(
      'commonjs-start',
      {
        'bin.js':
          '#!/usr/bin/env node\n"use strict";\nconst lib = require("./lib.js");\nrequire("./idle.js");\nfunction main() {\n  console.log(lib.twice(21), typeof this);\n}\nmain();\n',
        'lib.js': '"use strict"\nexports.twice = function twice(x) { return x * 2; };\n',
        'idle.js': 'module.exports = function idle() { return 0; };\n',
      },
      'bin.js',
    );
    assert.equal(bare.stdout, '42 undefined\n', '"use strict" is still the directive of bin.js');
    const inventory = (scope: string): { name: string; hits: number }[] | undefined =>
      records.find((r) => r['kind'] === 'function_inventory' && String(r['unit']).endsWith('/commonjs-start') && r['scope'] === scope)?.['functions'] as
        { name: string; hits: number }[] | undefined;
    assert.deepEqual(
      inventory('bin.js')?.map((f) => [f.name, f.hits]),
      [['main', 1]],
    );
    assert.deepEqual(
      inventory('lib.js')?.map((f) => [f.name, f.hits]),
      [['twice', 1]],
    );
    assert.equal(inventory('idle.js'), undefined, 'a file none of whose functions ran has no inventory record');
  });

  it('loads a file it cannot transform untouched, and says so', async () => {
    const { records } = await compare(
      'untransformable',
      {
        'odd.js': 'var __apitrace$h = "mine";\nmodule.exports = function odd() { return __apitrace$h; };\n',
        'main.js': 'console.log(require("./odd.js")());\n',
      },
      'main.js',
    );
    const failed = notices(records, 'transform_failed');
    assert.ok(
      failed.some((n) => String(n['subject']).endsWith('/untransformable/odd.js')),
      JSON.stringify(failed),
    );
  });

  it('records nothing and changes nothing when APITRACE_DIR cannot be written', async () => {
    const app = join(work, 'unwritable');
    writeFiles(app, { 'a-file': '', 'main.js': 'const _ = require("lodash"); console.log(_.chunk([1, 2, 3], 2)); process.exitCode = 4;\n' });
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules/lodash')), join(app, 'node_modules/lodash'));
    const bare = await runProgram('node', ['main.js'], { cwd: app, env: cleanEnv() });
    // root may write anywhere: a path below a regular file cannot be created by anyone
    const traced = await runProgram('node', ['--import', NODE_PLUGIN, 'main.js'], {
      cwd: app,
      env: cleanEnv({ APITRACE_DIR: join(app, 'a-file', 'run'), APITRACE_CACHE_DIR: cache }),
    });
    assert.equal(bare.status, 4);
    assert.equal(traced.status, 4);
    assert.equal(traced.stdout, bare.stdout);
    const extra = traced.stderr.split('\n').filter((l) => l !== '' && !bare.stderr.includes(l));
    assert.equal(extra.length, 1, JSON.stringify(extra));
    assert.match(extra[0]!, /^apitrace: node: cannot write events to .*\(recording off for this process\)$/);
  });
});
