import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

describe('buildAppModel: process tree and JVM', () => {
  it('gives processes lineage: a forked child points at its parent, an exec image at the image it replaced', async () => {
    const dir = runDir({
      '10-native-0.jsonl': lines(processStart({ pid: 10, t: 100, argv: ['sh', '-c', 'x'] }), { kind: 'process_end', t: 150, reason: 'exec' }),
      '10-native-1.jsonl': lines(processStart({ pid: 10, t: 200, seq: 1, origin: 'exec', exe: '/usr/bin/node', argv: ['node', 'a.js'] })),
      '11-native-0.jsonl': lines(processStart({ pid: 11, ppid: 10, t: 300, origin: 'fork', argv: ['node', 'a.js'] })),
    });
    const model = await buildAppModel(dir);
    assert.deepEqual(
      model.processes.map((p) => [p.id, p.lineage, p.parent ?? null]),
      [
        ['10', 'start', null],
        ['10.1', 'exec', '10'],
        ['11', 'fork', '10.1'],
      ],
    );
    assert.deepEqual(model.processes[0]!.end, { reason: 'exec' });
  });

  it("joins a JVM executor thread's native read to the Java span by path (inferred); a jar with several pom.properties is generic with its sha256", async () => {
    const dir = runDir({});
    const shaded = join(dir, 'shaded-all.jar');
    writeFileSync(shaded, 'not really a jar');
    writeFileSync(
      join(dir, '40-jvm-0.jsonl'),
      lines(
        processStart({
          pid: 40,
          source: 'jvm',
          exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java',
          argv: ['java', 'Main'],
          runtime: { name: 'java', version: '17.0.15', vendor: 'Debian' },
        }),
        {
          kind: 'code_unit',
          t: 1100,
          unit: 'code_source',
          how: 'classload',
          path: shaded,
          maven: [
            { group: 'a', artifact: 'a', version: '1' },
            { group: 'b', artifact: 'b', version: '2' },
          ],
        },
        { kind: 'stack', id: 1, frames: [{ lang: 'java', fn: 'app.Loader.load', file: 'Loader.java', line: 9, unit: shaded }] },
        {
          kind: 'call',
          api: 'java:java.nio.file.Files.readAllBytes',
          category: 'file',
          tid: 41,
          t0: 2000,
          t1: 9000,
          stack: 1,
          caller: shaded,
          args: { path: '/srv/data.bin' },
        },
      ),
    );
    writeFileSync(
      join(dir, '40-native-0.jsonl'),
      lines(processStart({ pid: 40, exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', argv: ['java', 'Main'] }), {
        kind: 'call',
        api: 'libc:openat',
        category: 'file',
        tid: 57,
        t0: 3000,
        t1: 3100,
        caller: '/usr/lib/jvm/java-17-openjdk-amd64/lib/libnio.so',
        args: { path: '/srv/data.bin' },
      }),
    );
    const model = await buildAppModel(dir);
    const open = model.calls.find((c) => c.api === 'libc:openat')!;
    assert.equal(open.stack?.join, 'inferred');
    assert.equal(open.stack?.matchedOn, 'path');
    assert.deepEqual(
      open.stack?.frames.map((f) => `${f.lang}:${f.fn}`),
      ['native:openat', 'native:?', 'java:java.nio.file.Files.readAllBytes', 'java:app.Loader.load'],
    );
    const jar = model.components.find((c) => c.paths.includes(shaded))!;
    assert.equal(jar.kind, 'maven');
    assert.match(jar.purl!, /^pkg:generic\/shaded-all\?checksum=sha256%3A[0-9a-f]{64}$/);
    assert.equal(jar.usage, 'used');
    assert.equal(jar.firstUseStack?.frames[0]?.fn, 'java.nio.file.Files.readAllBytes');
    assert.equal(model.processes[0]!.runtime?.vendor, 'Debian');
  });
});

describe('buildAppModel: runtime edges', () => {
  it('makes the application depend on the runtime of its process', async () => {
    const dir = runDir({});
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'edge-app', version: '1.0.0' }));
    writeFileSync(
      join(dir, '60-node-0.jsonl'),
      lines(processStart({ pid: 60, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }), {
        kind: 'code_unit',
        t: 200,
        unit: 'module',
        how: 'import',
        path: join(app, 'app.js'),
        package: { name: 'edge-app', version: '1.0.0', root: app },
      }),
    );
    const model = await buildAppModel(dir);
    const node = model.components.find((c) => c.kind === 'runtime' && c.name !== 'glibc')!;
    assert.deepEqual(
      model.dependencies.filter((d) => d.kind === 'runtime').map((d) => [d.from, d.to]),
      [['pkg:npm/edge-app@1.0.0', node.ref]],
    );
  });
});
