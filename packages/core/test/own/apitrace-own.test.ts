import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { computeFingerprint } from '../../src/fingerprint/fingerprint.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

// packages/core/dist/test/own/ -> repository root
const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));

describe("what is apitrace's own (code and activity)", () => {
  it("leaves out the shim, the plugin's dependencies loaded before the app, and a layout's plugin packages", async () => {
    const dir = runDir({});
    const layout = join(dir, 'layout', 'node');
    mkdirSync(join(layout, 'node_modules', 'shimmer'), { recursive: true });
    writeFileSync(join(layout, 'package.json'), JSON.stringify({ name: '@apitrace/node-plugin', version: '0.1.0' }));
    writeFileSync(join(layout, 'node_modules', 'shimmer', 'package.json'), JSON.stringify({ name: 'shimmer', version: '1.2.1' }));
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'the-app', version: '2.0.0' }));
    const ritm = join(REPO, 'node_modules', 'require-in-the-middle');
    writeFileSync(
      join(dir, '50-node-0.jsonl'),
      lines(
        processStart({ pid: 50, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }),
        {
          kind: 'code_unit',
          t: 100,
          unit: 'module',
          how: 'require',
          path: join(ritm, 'index.js'),
          package: { name: 'require-in-the-middle', version: '8.0.1', root: ritm },
        },
        {
          kind: 'code_unit',
          t: 110,
          unit: 'module',
          how: 'require',
          path: join(layout, 'node_modules', 'shimmer', 'index.js'),
          package: { name: 'shimmer', version: '1.2.1', root: join(layout, 'node_modules', 'shimmer') },
        },
        { kind: 'code_unit', t: 200, unit: 'module', how: 'import', path: join(app, 'app.js'), package: { name: 'the-app', version: '2.0.0', root: app } },
      ),
    );
    writeFileSync(
      join(dir, '50-native-0.jsonl'),
      lines(processStart({ pid: 50, exe: '/usr/bin/node', argv: ['node', 'app.js'] }), {
        kind: 'code_unit',
        t: 90,
        unit: 'shared_object',
        how: 'preload',
        path: '/opt/apitrace/libapitrace.so',
      }),
    );
    const model = await buildAppModel(dir);
    assert.deepEqual(
      model.components.filter((c) => c.kind !== 'runtime').map((c) => c.ref),
      ['pkg:npm/the-app@2.0.0'],
    );
  });

  it("leaves out what an emitter declared its own: a helper thread's calls and the cache directories", async () => {
    const node = processStart({ pid: 60, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } });
    const open = (tid: number, path: string, t: number): Record<string, unknown> => ({
      kind: 'call',
      api: 'libc:open',
      category: 'file',
      tid,
      t0: t,
      t1: t + 1,
      caller: '/usr/bin/node',
      args: { path, oflags: 'O_RDONLY' },
    });
    const usage = (subject: string): Record<string, unknown> => ({
      kind: 'api_usage',
      api: 'libc:mkdir',
      category: 'file',
      caller: '/usr/bin/node',
      subject,
      count: 1,
      first_t: 300,
      last_t: 300,
    });
    const dir = runDir({
      // the language file declares; the native file of the same pid is read after it
      '60-node-0.jsonl': lines(
        node,
        { kind: 'own_activity', t: 110, paths: ['/home/u/.cache/apitrace/transform'] },
        { kind: 'own_activity', t: 120, tids: [61] },
        { kind: 'own_activity', t: 130, paths: ['/home/u/.cache'] },
      ),
      '60-native-0.jsonl': lines(
        processStart({ pid: 60, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
        open(60, '/srv/app/data.txt', 200),
        open(61, '/srv/app/read-by-the-helper.txt', 210),
        usage('/home/u/.cache'),
        usage('/home/u/.cache/apitrace'),
        usage('/srv/app/out'),
      ),
    });
    const model = await buildAppModel(dir, { hashFiles: false });
    assert.deepEqual(model.ownPaths, ['/home/u/.cache', '/home/u/.cache/apitrace/transform']);
    assert.deepEqual(
      model.calls.filter((c) => c.api === 'libc:open').map((c) => c.tid),
      [60],
    );
    assert.deepEqual(Object.keys(computeFingerprint(model).files).sort(), ['/srv/app/data.txt', '/srv/app/out']);
  });
});
