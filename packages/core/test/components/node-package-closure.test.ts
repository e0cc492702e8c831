import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyClosureError, runtimeDependencyClosure } from '../../src/components/node-package-closure.js';

let root = '';

function pkg(dir: string, json: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
}

describe('runtimeDependencyClosure', () => {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'apitrace-closure-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('follows dependencies the way Node resolves them, keeping nested copies nested', () => {
    // a workspace: repo/packages/plugin links from repo/node_modules, deps hoisted to repo/node_modules
    pkg(join(root, 'repo/packages/plugin'), { name: 'plugin', dependencies: { a: '^1', '@s/b': '^2' }, devDependencies: { dev: '*' } });
    pkg(join(root, 'repo/node_modules/a'), { name: 'a', version: '1.0.0', dependencies: { c: '^1' } });
    pkg(join(root, 'repo/node_modules/@s/b'), { name: '@s/b', version: '2.1.0', dependencies: { c: '^2' }, optionalDependencies: { gone: '*' } });
    pkg(join(root, 'repo/node_modules/c'), { name: 'c', version: '1.5.0' });
    pkg(join(root, 'repo/node_modules/@s/b/node_modules/c'), { name: 'c', version: '2.0.0' });
    pkg(join(root, 'repo/node_modules/dev'), { name: 'dev', version: '9.9.9' });
    symlinkSync('../packages/plugin', join(root, 'repo/node_modules/plugin'));

    const closure = runtimeDependencyClosure(join(root, 'repo/node_modules/plugin'));
    assert.deepEqual(
      closure.map((p) => [p.placement, `${p.name}@${p.version}`]),
      [
        ['node_modules/@s/b', '@s/b@2.1.0'],
        ['node_modules/@s/b/node_modules/c', 'c@2.0.0'],
        ['node_modules/a', 'a@1.0.0'],
        ['node_modules/c', 'c@1.5.0'],
      ],
    );
  });

  it('keeps a copy installed inside the package itself at its place there', () => {
    pkg(join(root, 'plugin'), { name: 'plugin', dependencies: { a: '1' } });
    pkg(join(root, 'plugin/node_modules/a'), { name: 'a', version: '1.0.0', peerDependencies: { p: '*', absent: '*' } });
    pkg(join(root, 'node_modules/p'), { name: 'p', version: '3.0.0' });
    assert.deepEqual(
      runtimeDependencyClosure(join(root, 'plugin')).map((p) => p.placement),
      ['node_modules/a', 'node_modules/p'],
    );
  });

  it('fails on a missing required dependency, and on two copies that would need the same place', () => {
    pkg(join(root, 'plugin'), { name: 'plugin', dependencies: { nowhere: '1' } });
    assert.throws(
      () => runtimeDependencyClosure(join(root, 'plugin')),
      (err: Error) => err instanceof DependencyClosureError && err.message === 'nowhere, needed by plugin, is not installed',
    );

    pkg(join(root, 'two/plugin'), { name: 'plugin', dependencies: { a: '1', b: '1' } });
    pkg(join(root, 'two/plugin/node_modules/a'), { name: 'a', version: '1.0.0' });
    pkg(join(root, 'two/node_modules/b'), { name: 'b', version: '1.0.0', dependencies: { a: '2' } });
    pkg(join(root, 'two/node_modules/a'), { name: 'a', version: '2.0.0' });
    assert.throws(() => runtimeDependencyClosure(join(root, 'two/plugin')), /two installed copies of a would both go to node_modules\/a/);
  });
});
