import { strict as assert } from 'node:assert';
import { readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureCallSites, callerUnit, framesOf, StackTable } from '../../src/runtime/js-stack.js';
import { osThreadId } from '../../src/runtime/thread-id.js';
import { codeUnitOf } from '../../src/runtime/owning-package.js';

const thisFile = fileURLToPath(import.meta.url);

function wrapper(): NodeJS.CallSite[] {
  return captureCallSites(wrapper);
}

describe('runtime js-stack', () => {
  it('captures the caller of a wrapper as a file path, and restores the application stack settings', () => {
    const prepare = (_e: Error, s: NodeJS.CallSite[]): string => `custom ${s.length}`;
    const original = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    const originalLimit = Error.stackTraceLimit;
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = 3;
    let sites: NodeJS.CallSite[];
    try {
      sites = wrapper();
      assert.equal(Error.prepareStackTrace, prepare);
      assert.equal(Error.stackTraceLimit, 3);
    } finally {
      if (original) Object.defineProperty(Error, 'prepareStackTrace', original);
      else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      Error.stackTraceLimit = originalLimit;
    }
    assert.equal(callerUnit(sites), codeUnitOf(thisFile));
    const { frames } = framesOf(sites);
    assert.equal(frames[0]!.file, thisFile);
    assert.equal(frames[0]!.lang, 'js');
    assert.ok(frames[0]!.line! > 0);
  });

  it('writes each distinct stack once, ids from 1', () => {
    const written: number[] = [];
    const table = new StackTable((r) => written.push(r.id));
    const a = [{ lang: 'js' as const, fn: 'a', file: '/x.js', line: 1, col: 1 }];
    const b = [{ lang: 'js' as const, fn: 'b', file: '/x.js', line: 2, col: 1 }];
    assert.equal(table.idOf(a, false), 1);
    assert.equal(table.idOf(b, false), 2);
    assert.equal(table.idOf(a, false), 1);
    assert.deepEqual(written, [1, 2]);
  });

  it('reads the OS thread id of this thread', () => {
    assert.equal(osThreadId(), Number(readlinkSync('/proc/thread-self').split('/').pop()));
  });
});
