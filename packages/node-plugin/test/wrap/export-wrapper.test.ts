import { strict as assert } from 'node:assert';
import type { Recorder } from '../../src/runtime/index.js';
import type { ApiCount } from '../../src/runtime/usage-tables.js';
import { ExportWrapper, newTally } from '../../src/wrap/export-wrapper.js';
import { ATTRIBUTE_ALL_CALLS, PackageUsage } from '../../src/wrap/package-usage.js';

/** The part of the recorder package usage needs, recording what it is given. */
function fakeRecorder(counted: ApiCount[], flushes: (() => void)[]): Recorder {
  return {
    tid: 1,
    appUnit: '/app',
    onFlush: (hook: () => void) => flushes.push(hook),
    countApi: (c: ApiCount) => counted.push(c),
    stackHere: () => ({ caller: '/app', stack: 7 }),
    fault: () => assert.fail('no fault expected'),
  } as unknown as Recorder;
}

function setup(): { wrapper: ExportWrapper; counted: ApiCount[]; flush: () => void } {
  const counted: ApiCount[] = [];
  const flushes: (() => void)[] = [];
  const wrapper = new ExportWrapper(new PackageUsage(fakeRecorder(counted, flushes)));
  return { wrapper, counted, flush: () => flushes.forEach((f) => f()) };
}

const total = (counted: ApiCount[], api: string): number => counted.filter((c) => c.api === api).reduce((n, c) => n + c.count, 0);

describe('node-plugin export wrapper', () => {
  it('counts calls of a callable export and keeps length, name, this, statics and properties', () => {
    const { wrapper, counted } = setup();
    function greet(this: unknown, a: string, b: string): string {
      return `${String(this)} ${a}${b}`;
    }
    greet.version = '1';
    const wrapped = wrapper.wrap(greet, 'npm:greet', '/node_modules/greet', newTally());
    assert.notEqual(wrapped, greet);
    assert.equal(wrapped.length, 2);
    assert.equal(wrapped.name, 'greet');
    assert.equal(wrapped.version, '1');
    assert.equal(wrapped.call('hi', 'a', 'b'), 'hi ab');
    assert.equal(Function.prototype.toString.call(wrapped), Function.prototype.toString.call(greet));
    assert.equal(total(counted, 'npm:greet'), 1);
    assert.match(counted[0]!.caller, /packages\/node-plugin$/, 'the caller is the package of this test');
    assert.equal(counted[0]!.stack, 7);
  });

  it('keeps new, new.target, instanceof and subclassing of a wrapped class', () => {
    const { wrapper, counted } = setup();
    class Base {
      made: string;
      static answer = 42;
      constructor() {
        if (new.target === Base) this.made = 'Base';
        else this.made = new.target.name;
      }
      static create(): Base {
        return new this();
      }
    }
    const Wrapped = wrapper.wrap(Base, 'npm:base', '/node_modules/base', newTally());
    const b = new Wrapped();
    assert.equal(b.made, 'Base');
    assert.ok(b instanceof Wrapped && b instanceof Base);
    class Sub extends Wrapped {}
    const s = new Sub();
    assert.equal(s.made, 'Sub');
    assert.ok(s instanceof Base);
    assert.equal(Wrapped.answer, 42);
    assert.ok(Wrapped.create() instanceof Base);
    assert.match(Function.prototype.toString.call(Wrapped), /^class Base/);
    assert.equal(total(counted, 'npm:base'), 3); // new Wrapped, new Sub (super), create()
  });

  it('wraps the functions of an exports object lazily, leaves what cannot be wrapped and counts it', () => {
    const { wrapper, counted } = setup();
    class WithPrivate {
      static #n = 0;
      static bump(): number {
        return ++WithPrivate.#n;
      }
    }
    const exportsObject: Record<string, unknown> = { add: (a: number, b: number) => a + b, value: 3, WithPrivate };
    Object.defineProperty(exportsObject, 'fixed', { value: () => 'fixed', enumerable: true, configurable: false, writable: false });
    Object.defineProperty(exportsObject, 'live', { get: () => () => 'live', enumerable: true });
    const tally = newTally();
    const wrapped = wrapper.wrap(exportsObject, 'npm:obj', '/node_modules/obj', tally) as Record<string, (...args: number[]) => unknown>;
    assert.deepEqual(Object.keys(wrapped), Object.keys(exportsObject));
    assert.equal(wrapped['add']!(1, 2), 3);
    assert.equal(wrapped['add'], wrapped['add'], 'the same wrapper every read');
    assert.equal(wrapped['fixed'], exportsObject['fixed'], 'a non-configurable read-only function is handed out as it is');
    assert.equal(wrapped['live']!(), 'live');
    assert.equal((wrapped['WithPrivate'] as unknown as typeof WithPrivate).bump(), 1);
    assert.equal(wrapped['WithPrivate'], WithPrivate);
    assert.equal(total(counted, 'npm:obj.add'), 1);
    assert.equal(total(counted, 'npm:obj.live'), 1);
    assert.deepEqual(Object.fromEntries(tally.skipped), { non_configurable: 1, private_members: 1 });
  });

  it('leaves Proxies and frozen objects alone', () => {
    const { wrapper } = setup();
    const tally = newTally();
    const proxied = new Proxy({ f: () => 1 }, {});
    assert.equal(wrapper.wrap(proxied, 'npm:p', '/node_modules/p', tally), proxied);
    const frozen = Object.freeze({ f: () => 1 });
    assert.equal(wrapper.wrap(frozen, 'npm:f', '/node_modules/f', tally), frozen);
    assert.deepEqual(Object.fromEntries(tally.skipped), { proxy_exports: 1, non_configurable: 1 });
  });

  it('keeps totals exact past the sampled attribution, folding the calls in between at a flush', () => {
    const { wrapper, counted, flush } = setup();
    const wrapped = wrapper.wrap((x: number) => x, 'npm:hot', '/node_modules/hot', newTally());
    const calls = ATTRIBUTE_ALL_CALLS + 5000;
    for (let i = 0; i < calls; i++) wrapped(i);
    flush();
    assert.equal(total(counted, 'npm:hot'), calls);
  });
});
