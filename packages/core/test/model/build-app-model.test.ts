import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const LIBZ = '/usr/lib/x86_64-linux-gnu/libz.so.1';

// a program the native shim's Makefile builds, not stripped
const SHIM_PROGRAM = fileURLToPath(new URL('../../../../native-shim/build/test-programs/findings', import.meta.url));
const buildIdOf = (path: string): string => /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', path], { encoding: 'utf8' }))![1]!;
const functionValue = (path: string, name: string): number =>
  Number.parseInt(new RegExp(`^([0-9a-f]+) [Tt] ${name}$`, 'm').exec(execFileSync('nm', ['--defined-only', path], { encoding: 'utf8' }))![1]!, 16);

describe('buildAppModel', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'apitrace-symbols-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("names a native frame from its unit's symbols when the build-id matches, keeps it unnamed when not, and lists each native component's symbols", async () => {
    // a copy outside the shim's build directory, which is apitrace's own
    const PROGRAM = join(work, 'findings');
    const REBUILT = join(work, 'findings-rebuilt');
    copyFileSync(SHIM_PROGRAM, PROGRAM);
    copyFileSync(SHIM_PROGRAM, REBUILT);
    const site = `0x${(functionValue(PROGRAM, 'make_secret_token') + 5).toString(16)}`;
    const dir = runDir({
      '30-native-0.jsonl': lines(
        processStart({ pid: 30, exe: PROGRAM, argv: ['findings'] }),
        { kind: 'code_unit', t: 1001, unit: 'shared_object', how: 'startup', path: PROGRAM, build_id: buildIdOf(PROGRAM), base: '0x55d0c0000000' },
        {
          kind: 'code_unit',
          t: 1002,
          unit: 'shared_object',
          how: 'startup',
          path: '/lib/x86_64-linux-gnu/libc.so.6',
          soname: 'libc.so.6',
          build_id: buildIdOf('/lib/x86_64-linux-gnu/libc.so.6'),
        },
        { kind: 'stack', id: 1, frames: [{ lang: 'native', fn: '?', unit: PROGRAM, addr: site }] },
        { kind: 'api_usage', api: 'libc:rand', category: 'random', caller: PROGRAM, count: 2, first_t: 1500, last_t: 1600, stack: 1, flags: ['weak_random'] },
        { kind: 'process_end', t: 9000, reason: 'exit', exit_code: 0 },
      ),
      // a program recorded with another build-id than its file's (rebuilt since): names nothing
      '31-native-0.jsonl': lines(
        processStart({ pid: 31, exe: REBUILT, argv: ['findings'] }),
        { kind: 'code_unit', t: 1001, unit: 'shared_object', how: 'startup', path: REBUILT, build_id: '0011223344', base: '0x55d0c0000000' },
        { kind: 'stack', id: 1, frames: [{ lang: 'native', fn: '?', unit: REBUILT, addr: site }] },
        {
          kind: 'call',
          api: 'libc:system',
          category: 'process',
          tid: 31,
          t0: 2000,
          t1: 2100,
          caller: REBUILT,
          stack: 1,
          args: { command: 'true' },
          flags: ['shell'],
        },
        { kind: 'process_end', t: 9000, reason: 'exit', exit_code: 0 },
      ),
    });
    const model = await buildAppModel(dir, { dpkgRoot: '/nonexistent', hashFiles: false });
    const rand = model.apiUsages.find((u) => u.api === 'libc:rand')!;
    assert.deepEqual(
      rand.stacks[0]!.frames.map((f) => [f.fn, f.unit, f.addr]),
      [
        ['rand', undefined, undefined],
        ['make_secret_token', PROGRAM, site],
      ],
    );
    const program = model.components.find((c) => c.paths.includes(PROGRAM))!;
    assert.equal(rand.stacks[0]!.frames[1]!.component, program.ref);
    const system = model.calls.find((c) => c.api === 'libc:system')!;
    assert.deepEqual(
      system.stack!.frames.map((f) => [f.fn, f.addr]),
      [
        ['system', undefined],
        ['?', site],
      ],
    );
    const libc = model.components.find((c) => c.paths.includes('/lib/x86_64-linux-gnu/libc.so.6'))!;
    assert.deepEqual(
      model.nativeSymbols,
      [
        { component: libc.ref, called: ['rand', 'system'], calling: [] },
        { component: program.ref, called: [], calling: ['make_secret_token'] },
      ].sort((a, b) => (a.component < b.component ? -1 : 1)),
    );
    // the model's own outputs read it from the named stacks: a finding's calling function
    assert.equal(model.components.find((c) => c.ref === program.ref)?.firstUseStack?.frames[1]?.fn, 'make_secret_token');
  });

  it('joins a native openat under the JS span of fs.readFileSync on the same thread (exact) and another thread (inferred)', async () => {
    const dir = runDir({
      '10-node-0.jsonl': lines(
        processStart({ pid: 10, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }),
        { kind: 'stack', id: 1, frames: [{ lang: 'js', fn: 'main', file: '/app/app.js', line: 2, col: 1, unit: '/app' }] },
        { kind: 'call', api: 'node:fs.readFileSync', category: 'file', tid: 10, t0: 2000, t1: 3000, stack: 1, caller: '/app', args: { path: '/etc/hostname' } },
        {
          kind: 'call',
          api: 'node:fs.readFile',
          category: 'file',
          tid: 10,
          t0: 4000,
          t1: 4100,
          stack: 1,
          caller: '/app',
          args: { path: '/etc/passwd' },
          async: true,
        },
      ),
      '10-native-0.jsonl': lines(
        processStart({ pid: 10, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
        { kind: 'code_unit', t: 1001, unit: 'shared_object', how: 'startup', path: LIBC },
        { kind: 'call', api: 'libc:openat', category: 'file', tid: 10, t0: 2500, t1: 2600, caller: '/usr/bin/node', args: { path: '/etc/hostname' } },
        { kind: 'call', api: 'libc:openat', category: 'file', tid: 17, t0: 5000, t1: 5100, caller: '/usr/bin/node', args: { path: '/etc/passwd' } },
        { kind: 'call', api: 'libc:openat', category: 'file', tid: 17, t0: 6000, t1: 6100, caller: '/usr/bin/node', args: { path: '/etc/group' } },
        { kind: 'process_end', t: 9000, reason: 'exit', exit_code: 0 },
      ),
    });
    const model = await buildAppModel(dir);
    assert.deepEqual(model.problems, []);
    const native = model.calls.filter((c) => c.source === 'native');
    assert.deepEqual(
      native.map((c) => c.stack?.join),
      ['exact', 'inferred', 'none'],
    );
    assert.deepEqual(
      native[0]!.stack!.frames.map((f) => f.fn),
      ['openat', '?', 'fs.readFileSync', 'main'],
    );
    assert.equal(model.calls[native[0]!.parentCall!]!.api, 'node:fs.readFileSync');
    assert.equal(native[1]!.stack!.matchedOn, 'path');
    assert.equal(model.calls[native[1]!.parentCall!]!.api, 'node:fs.readFile');
    assert.deepEqual(model.stats.joins, { exact: 1, inferred: 1, unjoined: 1 });
    assert.equal(model.processes.length, 1);
    assert.deepEqual(model.processes[0]!.sources, ['native', 'node']);
    assert.equal(model.processes[0]!.runtime?.name, 'node');
  });

  it('marks shared objects used (their code called an API) or loaded, through the dpkg database', async () => {
    const dir = runDir({
      '20-native-0.jsonl': lines(
        processStart({ pid: 20, exe: '/tmp/prog', argv: ['./prog'] }),
        { kind: 'code_unit', t: 1001, unit: 'shared_object', how: 'startup', path: '/lib/x86_64-linux-gnu/libc.so.6', soname: 'libc.so.6' },
        { kind: 'code_unit', t: 1002, unit: 'shared_object', how: 'startup', path: LIBZ, soname: 'libz.so.1', needed: ['libc.so.6'] },
        { kind: 'api_usage', api: 'libc:malloc', category: 'memory', caller: '/tmp/prog', count: 3, first_t: 1500, last_t: 1600 },
      ),
    });
    const model = await buildAppModel(dir);
    const zlib = model.components.find((c) => c.name === 'zlib1g');
    const libc = model.components.find((c) => c.name === 'libc6');
    assert.ok(zlib && libc, `components: ${model.components.map((c) => c.ref).join(', ')}`);
    assert.equal(zlib.usage, 'loaded');
    assert.equal(zlib.kind, 'native');
    assert.match(zlib.purl!, /^pkg:deb\/debian\/zlib1g@1:1\.2\.13[^?]*\?arch=amd64$/);
    assert.equal(libc.usage, 'used');
    assert.equal(libc.kind, 'runtime');
    assert.deepEqual(libc.paths, ['/lib/x86_64-linux-gnu/libc.so.6']);
    assert.ok(model.dependencies.some((d) => d.from === zlib.ref && d.to === libc.ref && d.kind === 'dynamic_link'));
    const usage = model.apiUsages.find((u) => u.api === 'libc:malloc')!;
    assert.equal(usage.count, 3);
    assert.deepEqual(usage.processes, ['20']);
  });

  it('takes no component from a unit that is no file ([eval]-wrapper), whatever the cwd holds', async () => {
    // regression: `[eval]-wrapper` was resolved against the cwd; in a directory with a
    // package.json that made the cwd's package the application and its dependency walk never ended
    const dir = runDir({
      '70-node-0.jsonl': lines(
        processStart({ pid: 70, source: 'node', exe: '/usr/bin/node', argv: ['node', '-e', '0'], runtime: { name: 'node', version: '20.20.2' } }),
        { kind: 'code_unit', t: 100, unit: 'module', how: 'require', path: '[eval]-wrapper' },
        {
          kind: 'function_inventory',
          t: 200,
          unit: '[eval]-wrapper',
          scope: '',
          loaded: true,
          functions: [{ name: 'anonymous', line: 6, col: 13, ran: true, hits: 1 }],
        },
      ),
    });
    const previous = process.cwd();
    const withPackageJson = runDir({ 'package.json': JSON.stringify({ name: 'cwd-package', version: '1.0.0', dependencies: { 'not-installed': '1' } }) });
    process.chdir(withPackageJson);
    try {
      const model = await buildAppModel(dir);
      assert.deepEqual(
        model.components.filter((c) => c.kind !== 'runtime').map((c) => c.ref),
        [],
      );
    } finally {
      process.chdir(previous);
    }
  });
});
