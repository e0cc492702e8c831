import { strict as assert } from 'node:assert';
import { checkEvent } from '../../src/schema/event-validator.js';
import { processStart } from '../support/run-dirs.js';

function errorOf(record: unknown): string {
  const checked = checkEvent(record);
  assert.equal(checked.ok, false, 'expected the record to be rejected');
  return checked.ok ? '' : checked.error;
}

describe('checkEvent', () => {
  it('accepts a minimal process_start', () => assert.ok(checkEvent(processStart()).ok));

  it('names an unknown kind', () => assert.match(errorOf({ kind: 'bogus' }), /unknown kind/));
  it('names a missing kind', () => assert.match(errorOf({ pid: 1 }), /kind/));
  it('names a missing field', () => {
    const { pid: _pid, ...rest } = processStart();
    assert.match(errorOf(rest), /^process_start: .*pid/);
  });
  it('names an unknown field', () => assert.match(errorOf(processStart({ colour: 'red' })), /unknown field "colour"/));
  it('names a wrong type with its path', () => {
    assert.match(
      errorOf({ kind: 'api_usage', api: 'libc:open', category: 'file', caller: 'x', count: 'many', first_t: 1, last_t: 2 }),
      /count must be integer/,
    );
  });
  it('lists the allowed values of an enum', () => {
    assert.match(errorOf(processStart({ source: 'python' })), /source .*native, node, jvm/);
  });
  it('rejects a non-RFC 3339 wall clock', () => assert.match(errorOf(processStart({ wall: 'yesterday' })), /wall/));
  it('rejects negative times', () => assert.match(errorOf({ kind: 'process_end', t: -1 }), /t must be >= 0/));
  it('rejects an api id without namespace', () => {
    assert.match(errorOf({ kind: 'call', api: 'open', category: 'file', tid: 1, t0: 1, t1: 2 }), /api must match pattern/);
  });
  it('rejects non-objects', () => {
    assert.equal(checkEvent(null).ok, false);
    assert.equal(checkEvent([1]).ok, false);
    assert.equal(checkEvent('process_start').ok, false);
  });
});
