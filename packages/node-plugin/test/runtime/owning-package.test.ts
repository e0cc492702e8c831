import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeUnitOf, owningPackage } from '../../src/runtime/owning-package.js';

describe('runtime owningPackage', () => {
  it('finds the nearest named package.json, skipping nameless type-only ones', () => {
    const root = mkdtempSync(join(tmpdir(), 'apitrace-pkg-'));
    const pkg = join(root, 'node_modules', 'left-pad');
    mkdirSync(join(pkg, 'dist', 'esm'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.3.0' }));
    writeFileSync(join(pkg, 'dist', 'esm', 'package.json'), JSON.stringify({ type: 'module' }));
    assert.deepEqual(owningPackage(join(pkg, 'dist', 'esm', 'index.js')), { name: 'left-pad', version: '1.3.0', root: pkg });
    assert.equal(codeUnitOf(join(pkg, 'dist', 'esm', 'index.js')), pkg);
    rmSync(root, { recursive: true, force: true });
  });

  it('falls back to the file directory when no package owns the file', () => {
    assert.equal(owningPackage('/proc/self/whatever.js'), undefined);
    assert.equal(codeUnitOf('/proc/self/whatever.js'), '/proc/self');
    assert.equal(codeUnitOf('[eval]'), '[eval]');
  });
});
