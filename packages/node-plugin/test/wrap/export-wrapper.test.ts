import { strict as assert } from 'node:assert';
import { types } from 'node:util';
import type { Recorder } from '../../src/runtime/index.js';
import type { ApiCount } from '../../src/runtime/usage-tables.js';
import { ExportWrapper, newTally } from '../../src/wrap/export-wrapper.js';
import { EXPORT_ATTRIBUTE_ALL_CALLS } from '../../src/runtime/attribution-sampling.js';
import { PackageUsage } from '../../src/wrap/package-usage.js';

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

  it('wraps a plain function with a plain function: arity, name, this, new, new.target, prototype, source, exceptions', () => {
    const { wrapper, counted } = setup();
    const tally = newTally();
    const wrap = <T>(fn: T, api: string): T => wrapper.wrap(fn, api, '/node_modules/plain', tally);
    const add = (a: number, b: number): number => a + b;
    const arrow = wrap(add, 'npm:plain.arrow');
    assert.equal(types.isProxy(arrow), false, 'not a Proxy: V8 can inline it');
    assert.deepEqual([arrow.length, arrow.name, arrow(1, 2), Reflect.ownKeys(arrow)], [2, 'add', 3, ['length', 'name']]);
    assert.throws(() => new (arrow as unknown as new () => object)(), TypeError, 'an arrow stays without [[Construct]]');
    const thrown = new Error('thrown');
    const thrower = wrap(function thrower(this: unknown) {
      throw thrown;
    }, 'npm:plain.thrower');
    assert.throws(
      () => thrower(),
      (e) => e === thrown,
    );
    function Legacy(this: { sum: number; made: unknown } | undefined, a: number, b: number): unknown {
      if (!(this instanceof Legacy)) return new (Legacy as unknown as new (a: number, b: number) => object)(a, b);
      this.sum = a + b;
      this.made = new.target;
      return undefined;
    }
    const WrappedLegacy = wrap(Legacy, 'npm:plain.Legacy') as unknown as {
      new (a: number, b: number): { sum: number; made: unknown };
      (a: number, b: number): { sum: number };
    };
    const made = new WrappedLegacy(1, 2);
    assert.deepEqual([made.sum, made.made === Legacy, made instanceof WrappedLegacy, made instanceof Legacy], [3, true, true, true]);
    assert.equal(WrappedLegacy(3, 4).sum, 7);
    assert.equal(WrappedLegacy.prototype, Legacy.prototype);
    assert.deepEqual(Reflect.ownKeys(WrappedLegacy).sort(), Reflect.ownKeys(Legacy).sort());
    class Sub extends (WrappedLegacy as unknown as new (a: number, b: number) => { sum: number; made: unknown }) {}
    const sub = new Sub(5, 6);
    assert.deepEqual([sub.sum, sub.made === Sub, sub instanceof Sub, sub instanceof Legacy], [11, true, true, true]);
    const self = {
      who: wrap(function (this: unknown) {
        return this;
      }, 'npm:plain.who'),
    };
    assert.equal(self.who(), self);
    async function later(): Promise<number> {
      return 1;
    }
    const wrappedLater = wrap(later, 'npm:plain.later');
    assert.equal(Object.getPrototypeOf(wrappedLater), Object.getPrototypeOf(later), 'still an AsyncFunction to constructor checks');
    assert.equal(Function.prototype.toString.call(wrappedLater), Function.prototype.toString.call(later));
    class MyPromise<T> extends Promise<T> {}
    const subclassed = MyPromise.resolve(1);
    assert.equal(wrap(() => subclassed, 'npm:plain.promise')(), subclassed, 'the very same return value');
    function* count(n: number): Generator<number> {
      for (let i = 0; i < n; i++) yield i;
    }
    const wrappedCount = wrap(count, 'npm:plain.count');
    assert.deepEqual([...wrappedCount(3)], [0, 1, 2]);
    assert.equal(wrappedCount.prototype, count.prototype);
    assert.throws(() => new (wrappedCount as unknown as new () => object)(), TypeError);
    assert.equal(total(counted, 'npm:plain.Legacy'), 3, 'new, the call (its inner new reaches the original), super()');
    assert.equal(tally.wrapped, 7);
  });

  it('wraps a function with statics in a plain view whose statics stay live both ways', () => {
    const { wrapper, counted } = setup();
    const withStatic = Object.assign(
      function f(x: number) {
        return x;
      },
      { version: '1', helper: (x: number) => x + 1 },
    );
    Object.defineProperty(withStatic, 'fixed', { value: 'fixed', enumerable: true, writable: false, configurable: false });
    const wrapped = wrapper.wrap(withStatic, 'npm:statics', '/node_modules/statics', newTally()) as typeof withStatic & Record<string, unknown>;
    assert.equal(types.isProxy(wrapped), false, 'not a Proxy: V8 can inline a static read');
    assert.deepEqual(Object.keys(wrapped), Object.keys(withStatic));
    assert.deepEqual([wrapped.name, wrapped.length, wrapped.prototype === withStatic.prototype], ['f', 1, true]);
    assert.equal(wrapped(3), 3);
    assert.equal(wrapped.helper(1), 2);
    assert.notEqual(wrapped.helper, withStatic.helper, 'the static function is wrapped');
    assert.equal(wrapped.helper, wrapped.helper, 'the same wrapper every read');
    wrapped.version = '2';
    assert.equal(withStatic.version, '2', 'the application assigns, the package sees it');
    withStatic.version = '3';
    assert.equal(wrapped.version, '3', 'the package assigns, the application sees it');
    const replaced = (x: number): number => x * 10;
    withStatic.helper = replaced;
    assert.equal(wrapped.helper, replaced, 'a replaced function is theirs, handed out as it is');
    (withStatic as unknown as Record<string, unknown>)['later'] = 'added';
    assert.equal(wrapped['later'], 'added', 'a static added later is seen');
    assert.throws(
      () => {
        wrapped['fixed'] = 'x';
      },
      TypeError,
      'a read-only static stays read-only',
    );
    assert.equal(wrapped['fixed'], 'fixed');
    assert.equal(total(counted, 'npm:statics'), 1);
    assert.equal(total(counted, 'npm:statics.helper'), 1);
  });

  it("gives a statics view the original's name, length, own keys and [[Construct]] at every arity and kind", () => {
    const { wrapper } = setup();
    const tally = newTally();
    const withStatics = <T extends object>(fn: T): T => Object.assign(fn, { extra: 1 });
    const originals: Function[] = [
      withStatics(function none() {
        return 0;
      }),
      withStatics(function two(a: number, b: number) {
        return a + b;
      }),
      withStatics(function five(a: number, b: number, c: number, d: number, e: number) {
        return a + b + c + d + e;
      }),
      withStatics((a: number) => a),
      withStatics(async function later(a: number) {
        return a;
      }),
      withStatics(function* gen(a: number) {
        yield a;
      }),
    ];
    for (const original of originals) {
      const view = wrapper.wrap(original, `npm:kinds.${original.name}`, '/node_modules/kinds', tally) as Function & { extra: number };
      assert.equal(types.isProxy(view), false, original.name);
      assert.deepEqual([view.name, view.length, view.extra], [original.name, original.length, 1]);
      assert.deepEqual(Reflect.ownKeys(view).sort(), Reflect.ownKeys(original).sort(), original.name);
      assert.equal(view.prototype, original.prototype);
      let constructs = true;
      try {
        Reflect.construct(String, [], view);
      } catch {
        constructs = false;
      }
      assert.equal(constructs, original.prototype !== undefined && original.name !== 'gen', `[[Construct]] of ${original.name}`);
      assert.ok(view instanceof Function);
      assert.equal(Function.prototype.toString.call(view), Function.prototype.toString.call(original));
    }
  });

  it('keeps totals exact past the sampled attribution, folding the calls in between at a flush', () => {
    const { wrapper, counted, flush } = setup();
    const wrapped = wrapper.wrap((x: number) => x, 'npm:hot', '/node_modules/hot', newTally());
    const calls = EXPORT_ATTRIBUTE_ALL_CALLS + 600_000; // past the sampling interval's growth
    for (let i = 0; i < calls; i++) wrapped(i);
    flush();
    assert.equal(total(counted, 'npm:hot'), calls);
  });
});
