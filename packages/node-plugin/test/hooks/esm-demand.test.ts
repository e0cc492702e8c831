import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryIsCommonJs, mayLoadEsModule } from '../../src/hooks/esm-demand.js';

describe('node-plugin: when the ES module hooks are needed', () => {
  let dir: string;
  const file = (path: string, text: string): string => {
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apitrace-esm-demand-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows a CommonJS entry by extension, package type, or (no type) the absence of module syntax', () => {
    const entry = (path: string): boolean => entryIsCommonJs(['node', path]);
    assert.equal(entry(file('a.cjs', 'module.exports = 1;')), true);
    assert.equal(entry(file('a.mjs', 'export default 1;')), false);
    file('typed/package.json', '{"type":"module"}');
    assert.equal(entry(file('typed/a.js', 'console.log(1);')), false);
    file('cjs/package.json', '{"type":"commonjs"}');
    assert.equal(entry(file('cjs/a.js', 'console.log(1);')), true);
    file('untyped/package.json', '{"name":"untyped"}');
    assert.equal(entry(file('untyped/plain.js', '#!/usr/bin/env node\nconst x = require("x");\nreturn;\n')), true);
    assert.equal(entry(file('untyped/esm.js', 'import fs from "node:fs";\n')), false);
    assert.equal(entry(file('untyped/tla.js', 'await Promise.resolve();\n')), false);
    assert.equal(entry(join(dir, 'untyped/plain')), true, 'found with .js added, as node does');
    assert.equal(entry(join(dir, 'missing.js')), false, 'unsure: the hooks start at once');
    assert.equal(entryIsCommonJs(['node']), true, 'node -e / -p / stdin');
  });

  it('tells a real import( from the ones in comments and strings, and wrappers of CommonJS from ES modules that import', () => {
    assert.equal(mayLoadEsModule('/** @param {import("./t").T} x */\nexports.f = (x) => "import(y)";', '/a/x.js', 'commonjs'), false);
    assert.equal(mayLoadEsModule('exports.load = () => import ("./m.mjs");', '/a/x.js', 'commonjs'), true);
    assert.equal(mayLoadEsModule('module.exports = 1;', '/a/x.js', 'commonjs'), false);
    file('pkg/index.js', 'module.exports = function f() {};');
    file('pkg/other.mjs', 'export const o = 1;');
    assert.equal(mayLoadEsModule('import f from "./index.js";\nexport { f as "module.exports" };', join(dir, 'pkg/require.mjs'), 'module'), false);
    assert.equal(mayLoadEsModule('import { o } from "./other.mjs";\nexport { o };', join(dir, 'pkg/require.mjs'), 'module'), true);
    assert.equal(mayLoadEsModule('import x from "bare";\nexport { x };', join(dir, 'pkg/require.mjs'), 'module'), true);
    assert.equal(mayLoadEsModule('export const u = import.meta.url;', join(dir, 'pkg/require.mjs'), 'module'), false);
  });
});
