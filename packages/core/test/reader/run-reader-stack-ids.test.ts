import { strict as assert } from 'node:assert';
import { readRun } from '../../src/reader/run-reader.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

const stack = (id: number): object => ({ kind: 'stack', id, frames: [{ lang: 'native', fn: `f${id}` }] });
const usage = (stackId: number): object => ({
  kind: 'api_usage',
  api: 'libc:open',
  category: 'file',
  caller: '/bin/sh',
  count: 1,
  first_t: 1,
  last_t: 2,
  stack: stackId,
});

describe('readRun: stack ids of a file', () => {
  it('remembers a bounded number of them, says once that the rest are not checked, and warns about no reference it cannot judge', async () => {
    const stacks = Array.from({ length: 10 }, (_, i) => stack(i + 1));
    const refs = Array.from({ length: 10 }, (_, i) => usage(i + 1));
    const dir = runDir({ '100-native-0.jsonl': lines(processStart(), ...stacks, ...refs, usage(99)) });
    const run = await readRun(dir, undefined, { checkedStackIds: 4 });
    assert.deepEqual(
      run.problems.map((p) => [p.severity, p.message]),
      [['warn', 'more than 4 stack records in one file: references to the rest are not checked']],
    );
    assert.equal(run.recordsByKind.get('api_usage'), 11);
  });

  it('still warns about a reference to an undefined stack below the bound', async () => {
    const dir = runDir({ '100-native-0.jsonl': lines(processStart(), stack(1), usage(1), usage(2)) });
    const run = await readRun(dir, undefined, { checkedStackIds: 4 });
    assert.deepEqual(
      run.problems.map((p) => p.message),
      ['api_usage: refers to stack 2, which no earlier record defines'],
    );
  });
});
