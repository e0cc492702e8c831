import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mirrorFunction, patchMethod, recordingConstructor, recordingWrapper, type ApiDefinition } from '../../src/builtins/api-wrapper.js';
import { Recorder } from '../../src/runtime/index.js';

// The recorder of the mocha process (Recorder.start returns the existing one if another test
// started it first); its file is written into a directory removed after the tests.
const dir = mkdtempSync(join(tmpdir(), 'apitrace-wrapper-'));
const recorder = Recorder.start(dir)!;
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const def = (): ApiDefinition => ({ api: `test:api${n++}`, category: 'other' });

describe('builtins recordingWrapper', () => {
  it('keeps name, length and own properties (util.promisify.custom, .native)', () => {
    function original(this: unknown, _a: unknown, _b: unknown): string {
      return 'x';
    }
    const custom = (): Promise<string> => Promise.resolve('custom');
    Object.assign(original, { native: () => 'native', [promisify.custom]: custom });
    const w = recordingWrapper(recorder, def(), original as never) as unknown as typeof original & { native: () => string };
    assert.equal(w.name, 'original');
    assert.equal(w.length, 2);
    assert.equal(w.native(), 'native');
    assert.equal((w as unknown as Record<symbol, unknown>)[promisify.custom], custom);
    assert.equal(promisify(w as never), custom);
  });

  it('passes this and arguments through and returns the same value', () => {
    const self = { k: 1 };
    const w = recordingWrapper(recorder, def(), function (this: unknown, ...args: unknown[]) {
      return { self: this, args };
    });
    const r = w.call(self, 1, 'two') as { self: unknown; args: unknown[] };
    assert.equal(r.self, self);
    assert.deepEqual(r.args, [1, 'two']);
  });

  it('throws the very error object the original threw', () => {
    const err = Object.assign(new Error('boom'), { code: 'EBOOM', errno: -5 });
    const w = recordingWrapper(recorder, def(), () => {
      throw err;
    });
    assert.throws(
      () => w(),
      (e) => e === err,
    );
  });

  it('follows a callback: same this and arguments, called once', async () => {
    const w = recordingWrapper(recorder, def(), function (this: unknown, x: unknown, cb: unknown) {
      setImmediate(() => (cb as (e: null, v: unknown) => void).call(this, null, x));
    });
    const self = { me: true };
    const got = await new Promise<unknown[]>((resolve) =>
      w.call(self, 7, function (this: unknown, ...args: unknown[]) {
        resolve([this, ...args]);
      }),
    );
    assert.deepEqual(got, [self, null, 7]);
  });

  it('passes every call of a callback through, a library calling back twice included', async () => {
    const w = recordingWrapper(recorder, def(), (cb: unknown) => {
      (cb as (e: Error) => void)(new Error('first'));
      setImmediate(() => (cb as (e: Error) => void)(new Error('second')));
    });
    const seen = await new Promise<string[]>((resolve) => {
      const got: string[] = [];
      w((err: Error) => {
        got.push(err.message);
        if (got.length === 2) resolve(got);
      });
    });
    assert.deepEqual(seen, ['first', 'second']);
  });

  it('settles a promise like the original and keeps a rejection unhandled for the application to see', async () => {
    const fails = recordingWrapper(recorder, def(), () => Promise.reject(new Error('nope')));
    const ok = recordingWrapper(recorder, def(), () => Promise.resolve(5));
    assert.equal(await ok(), 5);
    const unhandled = new Promise<unknown>((resolve) => process.once('unhandledRejection', (reason) => resolve(reason)));
    void fails();
    const reason = await unhandled;
    assert.equal((reason as Error).message, 'nope');
  });

  it('leaves a thenable that is not a native promise alone', () => {
    const thenable = { then: (): void => undefined };
    const w = recordingWrapper(recorder, def(), () => thenable);
    assert.equal(w(), thenable);
  });

  it('patchMethod keeps the property attributes and leaves non-functions and frozen objects untouched', () => {
    const target = { f: (a: number) => a + 1, v: 3 };
    assert.equal(patchMethod(recorder, target, 'f', def()), true);
    assert.equal(target.f(1), 2);
    assert.equal(patchMethod(recorder, target, 'v', def()), false);
    const frozen = Object.freeze({ f: () => 1 });
    const before = frozen.f;
    assert.equal(patchMethod(recorder, frozen, 'f', def()), false);
    assert.equal(frozen.f, before);
  });

  it('mirrorFunction copies symbols and skips what cannot be redefined', () => {
    const sym = Symbol('s');
    const original = Object.assign(function named(_x: unknown) {}, { [sym]: 1 });
    const w = function () {};
    mirrorFunction(w, original);
    assert.equal((w as unknown as Record<symbol, number>)[sym], 1);
    assert.equal(w.name, 'named');
    assert.equal(w.length, 1);
  });
});

describe('builtins recordingConstructor', () => {
  class Base {
    static kind = 'base';
    made: unknown;
    constructor(x: unknown) {
      this.made = new.target.name + ':' + String(x);
    }
  }
  const Recorded = recordingConstructor(recorder, def(), Base);

  it('constructs instances of the original class with new.target intact', () => {
    const b = new Recorded(1);
    assert.ok(b instanceof Base);
    assert.ok(b instanceof Recorded);
    assert.equal(b.made, 'Base:1');
    assert.equal(Recorded.kind, 'base');
    assert.equal(Recorded.name, 'Base');
  });

  it('can be subclassed', () => {
    class Sub extends Recorded {}
    const s = new Sub(2);
    assert.ok(s instanceof Sub && s instanceof Base);
    assert.equal(s.made, 'Sub:2');
  });

  it('rethrows what the constructor threw', () => {
    const Throws = recordingConstructor(
      recorder,
      def(),
      class {
        constructor() {
          throw new RangeError('no');
        }
      },
    );
    assert.throws(() => new Throws(), RangeError);
  });
});
