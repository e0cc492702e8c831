import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildAppModel } from '../../src/model/app-model.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

// packages/core/dist/test/components/ -> repository root
const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));

describe('apitrace\'s own code is no component of the application', () => {
  it('leaves out the shim, the plugin\'s dependencies loaded before the app, and a layout\'s plugin packages', async () => {
    const dir = runDir({});
    const layout = join(dir, 'layout', 'node');
    mkdirSync(join(layout, 'node_modules', 'shimmer'), { recursive: true });
    writeFileSync(join(layout, 'package.json'), JSON.stringify({ name: '@apitrace/node-plugin', version: '0.1.0' }));
    writeFileSync(join(layout, 'node_modules', 'shimmer', 'package.json'), JSON.stringify({ name: 'shimmer', version: '1.2.1' }));
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'the-app', version: '2.0.0' }));
    const ritm = join(REPO, 'node_modules', 'require-in-the-middle');
    writeFileSync(join(dir, '50-node-0.jsonl'), lines(
      processStart({ pid: 50, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }),
      { kind: 'code_unit', t: 100, unit: 'module', how: 'require', path: join(ritm, 'index.js'), package: { name: 'require-in-the-middle', version: '8.0.1', root: ritm } },
      { kind: 'code_unit', t: 110, unit: 'module', how: 'require', path: join(layout, 'node_modules', 'shimmer', 'index.js'), package: { name: 'shimmer', version: '1.2.1', root: join(layout, 'node_modules', 'shimmer') } },
      { kind: 'code_unit', t: 200, unit: 'module', how: 'import', path: join(app, 'app.js'), package: { name: 'the-app', version: '2.0.0', root: app } },
    ));
    writeFileSync(join(dir, '50-native-0.jsonl'), lines(
      processStart({ pid: 50, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
      { kind: 'code_unit', t: 90, unit: 'shared_object', how: 'preload', path: '/opt/apitrace/libapitrace.so' },
    ));
    const model = await buildAppModel(dir);
    assert.deepEqual(model.components.filter((c) => c.kind !== 'runtime').map((c) => c.ref), ['pkg:npm/the-app@2.0.0']);
  });
});
