// A function export with statics (lodash's _, dayjs, debug, a fixture with every kind of static)
// is handed to the application as a plain view whose statics are accessors to the original. Real
// packages, bare and under the Node plugin: same output, and the edge cases the view relies on:
// statics the package or a plugin adds or replaces later, statics the application assigns and the
// package reads, read-only statics, getters, symbols, new, subclassing, one export for every
// requirer (CommonJS and ES module), util.inspect; and the calls are still counted.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_PLUGIN, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const statics = [
  'function statics(x) { if (!(this instanceof statics)) return new statics(x); this.x = x; this.by = statics.prefix + x; }',
  'statics.prefix = "p:";',
  'statics.offset = function offset() { return 0; };',
  'statics.add = function add(a, b) { return a + b + statics.offset(); };',
  'statics.readApp = function readApp() { return statics.fromApp; };',
  'statics.addLater = function addLater() { statics.later = function later() { return "later"; }; };',
  'statics.replaceOwn = function replaceOwn() { statics.offset = function offset() { return 100; }; };',
  'Object.defineProperty(statics, "fixed", { value: "fixed", enumerable: true, writable: false, configurable: false });',
  'Object.defineProperty(statics, "lazy", { get() { return function lazy() { return "lazy"; }; }, enumerable: true, configurable: true });',
  'statics[Symbol.for("statics.tag")] = "tagged";',
  'module.exports = statics;',
].join('\n');

const main = [
  '"use strict";',
  'const util = require("node:util");',
  'const _ = require("lodash");',
  'const dayjs = require("dayjs");',
  'const debug = require("debug");',
  'const m = require("statics");',
  'const other = require("other");',
  'const out = {};',
  'let sum = 0;',
  'for (let i = 0; i < 5000; i++) sum += _.clamp(i, 0, 100);',
  'out.lodash = [sum, _.chunk([1, 2, 3], 2), typeof _, _.name, _.length, _ instanceof Function, String(_).slice(0, 17), _.VERSION];',
  // customisation points lodash reads from its own export object
  'const iteratee = _.iteratee;',
  '_.iteratee = (f) => (typeof f === "string" ? (o) => o[f].toUpperCase() : iteratee(f));',
  'out.iteratee = _.map([{ a: "x" }], "a");',
  '_.iteratee = iteratee;',
  '_.templateSettings = { ..._.templateSettings, interpolate: /\\[\\[([\\s\\S]+?)\\]\\]/g };',
  'out.template = _.template("hi [[ who ]]")({ who: "you" });',
  '_.mixin({ triple: (x) => x * 3 });',
  'out.mixin = [_.triple(2), _([1]).triple === undefined, _.chain([1, 2]).map((x) => x + 1).value(), Object.keys(_).includes("triple")];',
  // a dayjs plugin adds dayjs.utc to the function dayjs closes over
  'dayjs.extend(require("dayjs/plugin/utc"));',
  'out.dayjs = [typeof dayjs.utc, dayjs.utc("2020-01-02T03:04:05Z").format("YYYY-MM-DD HH:mm"), Object.keys(dayjs).includes("utc"), dayjs.isDayjs(dayjs())];',
  // debug reassigns its own statics (namespaces, names) in enable
  'debug.enable("app:*");',
  'out.debug = [debug.enabled("app:x"), debug.enabled("other"), debug.names.length, debug.namespaces];',
  'debug.disable();',
  'const s = m(1);',
  'class Sub extends m { constructor() { super(3); } }',
  'out.construct = [s.by, s instanceof m, new m(2).x, m.prototype === Object.getPrototypeOf(s), new Sub().x, new Sub() instanceof m, Sub.prefix];',
  'out.add = m.add(1, 2);',
  'm.prefix = "q:";',
  'out.appAssigned = [m(4).by, m.prefix];',
  'm.fromApp = "from app";',
  'out.newFromApp = [m.readApp(), m.fromApp, Object.keys(m).includes("fromApp")];',
  'm.addLater();',
  'out.later = [typeof m.later, m.later(), Object.keys(m).includes("later")];',
  'm.replaceOwn();',
  'out.replaced = [m.offset(), m.add(1, 2)];',
  'try { m.fixed = "x"; out.fixed = "assigned"; } catch (e) { out.fixed = e.constructor.name; }',
  'out.kinds = [m.fixed, m.lazy(), m[Symbol.for("statics.tag")], m.name, m.length, Object.keys(m)];',
  'out.same = [require("statics") === m, other.statics === m, require("lodash") === _];',
  'out.inspect = [util.inspect(m), util.inspect({ dayjs }, { depth: 0 })];',
  'import("./esm.mjs").then(({ esm }) => { out.esm = esm(_); console.log(JSON.stringify(out)); });',
].join('\n');

const esm = [
  'import _ from "lodash";',
  'import dayjs from "dayjs";',
  'export const esm = (required) => [_ === required, _.clamp(9, 0, 5), typeof dayjs.utc, Object.keys(_).includes("triple")];',
].join('\n');

describe('node plugin: function exports with statics (end to end)', function () {
  this.timeout(120_000);
  let work: string;

  before(() => {
    work = tempDir('node-statics');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('behaves the same bare and traced, keeps statics live both ways, and counts the calls', async () => {
    const app = join(work, 'app');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'app-statics', version: '1.0.0', private: true }),
      'node_modules/statics/package.json': JSON.stringify({ name: 'statics', version: '1.0.0', main: 'index.js' }),
      'node_modules/statics/index.js': statics,
      'node_modules/other/package.json': JSON.stringify({ name: 'other', version: '1.0.0', main: 'index.js' }),
      'node_modules/other/index.js': 'module.exports = { statics: require("statics") };\n',
      'main.js': main,
      'esm.mjs': esm,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), text);
    }
    for (const name of ['lodash', 'dayjs', 'debug', 'ms']) symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules', name)), join(app, 'node_modules', name));
    const run = join(work, 'run');
    mkdirSync(run);
    const bare = await runProgram('node', ['main.js'], { cwd: app, env: cleanEnv() });
    const traced = await runProgram('node', ['--import', NODE_PLUGIN, 'main.js'], {
      cwd: app,
      env: cleanEnv({ APITRACE_DIR: run, APITRACE_CACHE_DIR: join(work, 'cache') }),
    });
    assert.equal(bare.status, 0, bare.stderr);
    assert.equal(traced.stdout, bare.stdout, `stdout differs; traced stderr: ${traced.stderr}`);
    assert.equal(traced.stderr, bare.stderr);
    assert.equal(traced.status, bare.status);

    const out = JSON.parse(bare.stdout) as Record<string, unknown[]>;
    assert.deepEqual(out['iteratee'], ['X'], 'lodash used the iteratee the application assigned');
    assert.equal(out['template'], 'hi you', 'lodash used the templateSettings the application assigned');
    assert.deepEqual(out['dayjs']!.slice(0, 3), ['function', '2020-01-02 03:04', true], 'the static a plugin added is seen');
    assert.deepEqual(out['debug'], [true, false, 1, 'app:*'], 'statics debug reassigned are seen');
    assert.deepEqual(out['appAssigned'], ['q:4', 'q:'], 'the package sees the static the application assigned');
    assert.deepEqual(out['newFromApp'], ['from app', 'from app', true], 'the package sees a static the application added');
    assert.deepEqual(out['later'], ['function', 'later', true], 'the application sees a static the package added later');
    assert.deepEqual(out['replaced'], [100, 103], 'the application sees a static the package replaced');
    assert.equal(out['fixed'], 'TypeError', 'a read-only static stays read-only');
    assert.deepEqual(out['same'], [true, true, true]);
    assert.deepEqual(out['esm'], [true, 5, 'function', true], 'an ES module import is the same export');

    const counts = new Map<string, number>();
    for (const file of readdirSync(run)) {
      for (const line of readFileSync(join(run, file), 'utf8').split('\n')) {
        if (line === '') continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record['kind'] === 'api_usage') counts.set(String(record['api']), (counts.get(String(record['api'])) ?? 0) + Number(record['count']));
      }
    }
    assert.equal(counts.get('npm:lodash.clamp'), 5001, 'every _.clamp call is counted, through the view from CommonJS and ES modules');
    for (const api of [
      'npm:lodash',
      'npm:lodash.chunk',
      'npm:lodash.template',
      'npm:lodash.mixin',
      'npm:dayjs',
      'npm:dayjs.extend',
      'npm:debug.enable',
      'npm:statics',
      'npm:statics.add',
      'npm:statics.addLater',
    ]) {
      assert.ok(counts.has(api), `${api} counted: ${[...counts.keys()].join(' ')}`);
    }
    assert.equal(counts.get('npm:statics.add'), 2);
    assert.ok(
      !counts.has('npm:statics.later') && !counts.has('npm:statics.offset'),
      "statics added or replaced later are the package's own, handed out as they are",
    );
  });
});
