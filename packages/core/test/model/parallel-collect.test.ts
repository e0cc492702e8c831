import { strict as assert } from 'node:assert';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { cyclonedxJson } from '../../src/sbom/cyclonedx/cyclonedx-bom.js';
import { spdxJson } from '../../src/sbom/spdx/spdx-document.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

function pidFiles(pid: number): Record<string, string> {
  const t = pid * 10_000;
  return {
    [`${pid}-node-0.jsonl`]: lines(
      processStart({ pid, source: 'node', t, exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }),
      { kind: 'stack', id: 1, frames: [{ lang: 'js', fn: `work${pid}`, file: '/srv/app/app.js', line: pid, unit: '/srv/app' }] },
      {
        kind: 'call',
        api: 'node:fs.readFileSync',
        category: 'file',
        tid: pid,
        t0: t + 100,
        t1: t + 200,
        stack: 1,
        caller: '/srv/app',
        args: { path: '/etc/hostname' },
      },
    ),
    [`${pid}-native-0.jsonl`]: lines(
      processStart({ pid, t, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
      { kind: 'code_unit', t: t + 1, unit: 'shared_object', how: 'startup', path: '/lib/x86_64-linux-gnu/libc.so.6', soname: 'libc.so.6' },
      { kind: 'code_unit', t: t + 2, unit: 'shared_object', how: 'startup', path: '/lib/x86_64-linux-gnu/libz.so.1', soname: 'libz.so.1' },
      { kind: 'call', api: 'libc:openat', category: 'file', tid: pid, t0: t + 150, t1: t + 160, caller: '/usr/bin/node', args: { path: '/etc/hostname' } },
      { kind: 'api_usage', api: 'libc:malloc', category: 'memory', caller: '/lib/x86_64-linux-gnu/libz.so.1', count: pid, first_t: t + 5, last_t: t + 9 },
      { kind: 'process_end', t: t + 9000, reason: 'exit', exit_code: 0 },
    ),
  };
}

describe('buildAppModel with worker threads', () => {
  it('gives the same model and byte-identical SBOMs as one thread', async () => {
    const dir = runDir({ ...pidFiles(101), ...pidFiles(102), ...pidFiles(103), ...pidFiles(104) });
    const one = await buildAppModel(dir, { workers: 1 });
    const three = await buildAppModel(dir, { workers: 3 });
    assert.equal(cyclonedxJson(three), cyclonedxJson(one));
    assert.equal(spdxJson(three), spdxJson(one));
    assert.deepEqual(three.apiUsages, one.apiUsages);
    assert.deepEqual(three.calls, one.calls);
    assert.deepEqual(three.processes, one.processes);
    assert.deepEqual(three.stats, one.stats);
    assert.equal(one.stats.joins.exact, 4);
    assert.equal(one.apiUsages.find((u) => u.api === 'libc:malloc')?.count, 101 + 102 + 103 + 104);
  });
});
