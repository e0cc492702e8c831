// Wraps what a third-party package exports so each call is counted, without changing what the
// application can observe. A plain function export (no statics, not a class) becomes a plain
// wrapper function: V8 inlines it into the caller, where a Proxy apply trap is a call it cannot
// see through. It carries the original's name, length, prototype and [[Prototype]], passes
// `this`, arguments, return values and exceptions through untouched, and has [[Construct]] only
// when the original has (an ordinary `function`): then `new` forwards with the original as
// new.target. A function with statics (lodash's _, dayjs, express) becomes such a wrapper too,
// a view whose statics are accessors to the original's (see staticsViewOf): reading `_.clamp` in
// a loop stays an inlined load. Classes, and functions the view cannot stand in for, become a
// Proxy whose apply/construct traps count and forward with Reflect: fn.length, fn.name, statics,
// `this`, `new`, `new.target`, instanceof and subclassing all reach the original. An exports
// object becomes a Proxy whose get trap hands out the wrapped version of the functions it held
// at wrap time; the object itself, and every function the package uses internally, stay untouched.
//
// Not shimmer: shimmer marks a wrapper with __original/__wrapped/__unwrap properties, which on a
// Proxy land on the original function and change its own property names.
import { types } from 'node:util';
import { rememberOriginal } from './function-source.js';
import type { ExportGate, PackageUsage } from './package-usage.js';

export type SkipReason = 'non_configurable' | 'private_members' | 'proxy_exports' | 'reads_call_sites';

export interface WrapTally {
  wrapped: number;
  skipped: Map<SkipReason, number>;
}

export const newTally = (): WrapTally => ({ wrapped: 0, skipped: new Map() });

/**
 * A package that reads structured call sites (bindings finds its caller's directory that way,
 * depd its caller's file) would find our wrapper's frame where its caller was.
 */
export function readsCallSites(source: string): boolean {
  return source.includes('prepareStackTrace');
}

export function skipPackage(tally: WrapTally, reason: SkipReason): void {
  skip(tally, reason);
}

function skip(tally: WrapTally, reason: SkipReason, n = 1): void {
  tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + n);
}

/**
 * A class with #private members (its own or inherited) checks the brand of `this` in its static
 * methods: called through a Proxy, `this` is the Proxy and the check throws. Left alone.
 */
function hasPrivateMembers(fn: Function): boolean {
  for (let f: unknown = fn; typeof f === 'function' && f !== Function.prototype; f = Object.getPrototypeOf(f)) {
    let source: string;
    try {
      source = Function.prototype.toString.call(f);
    } catch {
      return true;
    }
    if (source.startsWith('class') && source.includes('#')) return true;
  }
  return false;
}

/** Marks an accessor: whatever function its getter returns gets wrapped (compiled ESM re-exports). */
const ACCESSOR = Symbol('accessor');
type Member = Function | typeof ACCESSOR;

/**
 * Own properties a get trap may answer for with a wrapper: function-valued data properties the
 * Proxy invariants allow replacing, and getters (their result is wrapped on each read, so a
 * re-export stays live).
 */
function replaceableMembers(target: object, tally: WrapTally): Map<PropertyKey, Member> {
  const found = new Map<PropertyKey, Member>();
  for (const key of Object.getOwnPropertyNames(target)) {
    if (key === 'prototype' || key === 'constructor' || key === 'caller' || key === 'arguments') continue;
    const desc = Object.getOwnPropertyDescriptor(target, key);
    if (desc === undefined) continue;
    if (!('value' in desc)) {
      if (typeof desc.get === 'function') found.set(key, ACCESSOR);
      continue;
    }
    if (typeof desc.value !== 'function') continue;
    if (!desc.configurable && !desc.writable) {
      skip(tally, 'non_configurable');
      continue;
    }
    if (hasPrivateMembers(desc.value as Function)) {
      skip(tally, 'private_members');
      continue;
    }
    found.set(key, desc.value as Function);
  }
  return found;
}

/** Own properties every function may have; a function with any other is wrapped by a Proxy. */
const STANDARD_FUNCTION_KEYS = new Set<PropertyKey>(['length', 'name', 'prototype', 'arguments', 'caller']);
const nothingConstructed = { construct: () => ({}) };

/** Whether `fn` has [[Construct]], found without running it: a Proxy of it has one exactly when it does. */
function isConstructor(fn: Function): boolean {
  try {
    new (new Proxy(fn, nothingConstructed) as new () => object)();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a plain wrapper can stand in for `fn` unnoticed: not a class (its source is read by
 * class detection and its construct semantics are the Proxy's job), nothing but the standard
 * own properties (statics would have to be copied and would then drift), still extensible.
 */
function plainWrappable(fn: Function): boolean {
  if (!Object.isExtensible(fn)) return false;
  for (const key of Reflect.ownKeys(fn)) if (!STANDARD_FUNCTION_KEYS.has(key)) return false;
  try {
    return !Function.prototype.toString.call(fn).startsWith('class');
  } catch {
    return false;
  }
}

/**
 * Whether a function with statics can be stood in for by a plain wrapper whose statics are
 * accessors (see staticsViewOf): an ordinary function, not a class (construct semantics and
 * source reading stay the Proxy's job), still extensible (a frozen original would show a
 * non-frozen view).
 */
function staticsViewable(fn: Function): boolean {
  if (!Object.isExtensible(fn)) return false;
  try {
    return !Function.prototype.toString.call(fn).startsWith('class');
  } catch {
    return false;
  }
}

/**
 * Gives `wrapper` exactly the original's own properties (name, length, prototype, and a sloppy
 * function's arguments/caller) and [[Prototype]]; false when that cannot be done (then a Proxy).
 */
function mirrorOwnProperties(wrapper: Function, original: Function): boolean {
  for (const key of Reflect.ownKeys(wrapper)) if (!Object.prototype.hasOwnProperty.call(original, key)) return false;
  for (const key of Reflect.ownKeys(original)) {
    const desc = Object.getOwnPropertyDescriptor(original, key);
    if (desc === undefined || !Reflect.defineProperty(wrapper, key, desc)) return false;
  }
  const proto = Object.getPrototypeOf(original) as object | null;
  return Object.getPrototypeOf(wrapper) === proto || Reflect.setPrototypeOf(wrapper, proto);
}

/**
 * V8 keeps an object that got many properties one by one (lodash's _ gets 300) as a hash table,
 * so every read of a static is a lookup, and a view's accessor reads the original on each use.
 * Read through once as a prototype, it gets fast properties (bluebird's toFastProperties does
 * the same): the read becomes a field load TurboFan folds. Only the internal layout changes.
 */
function preferFastProperties(o: object): void {
  const heir = Object.create(o) as { length?: unknown };
  void heir.length;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const configurableReadOnly = (desc: PropertyDescriptor): boolean => desc.configurable === true && desc.writable === false && desc.enumerable === false;

type Forward = (self: unknown, args: IArguments, newTarget: Function | undefined) => unknown;
interface ViewTemplates {
  /** an ordinary `function`: has [[Construct]] and its own prototype object */
  constructs(name: string, forward: Forward): Function;
  /** a method: no [[Construct]], no prototype, like an arrow or async function */
  calls(name: string, forward: Forward): Function;
}

/**
 * View functions by arity: the parameters only give the function its length; the arguments are
 * forwarded as they came. A computed key gives it its name.
 */
const VIEW_TEMPLATES: ViewTemplates[] = [
  {
    constructs: (name, forward) =>
      ({
        [name]: function (this: unknown) {
          return forward(this, arguments, new.target);
        },
      })[name]!,
    calls: (name, forward) =>
      ({
        [name](this: unknown) {
          return forward(this, arguments, undefined);
        },
      })[name]!,
  },
  {
    constructs: (name, forward) =>
      ({
        [name]: function (this: unknown, _a: unknown) {
          return forward(this, arguments, new.target);
        },
      })[name]!,
    calls: (name, forward) =>
      ({
        [name](this: unknown, _a: unknown) {
          return forward(this, arguments, undefined);
        },
      })[name]!,
  },
  {
    constructs: (name, forward) =>
      ({
        [name]: function (this: unknown, _a: unknown, _b: unknown) {
          return forward(this, arguments, new.target);
        },
      })[name]!,
    calls: (name, forward) =>
      ({
        [name](this: unknown, _a: unknown, _b: unknown) {
          return forward(this, arguments, undefined);
        },
      })[name]!,
  },
  {
    constructs: (name, forward) =>
      ({
        [name]: function (this: unknown, _a: unknown, _b: unknown, _c: unknown) {
          return forward(this, arguments, new.target);
        },
      })[name]!,
    calls: (name, forward) =>
      ({
        [name](this: unknown, _a: unknown, _b: unknown, _c: unknown) {
          return forward(this, arguments, undefined);
        },
      })[name]!,
  },
];
const hasOwn = (o: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, key);

export class ExportWrapper {
  /** Every wrapper made here: never wrapped twice (CommonJS seen by both RITM and IITM). */
  private readonly ours = new WeakSet<object>();
  private readonly byApi = new Map<string, WeakMap<object, object>>();

  constructor(private readonly usage: PackageUsage) {}

  isWrapped(value: unknown): boolean {
    return typeof value === 'object' || typeof value === 'function' ? this.ours.has(value as object) : false;
  }

  /**
   * The wrapped version of one exported value (`api` names it: npm:<package>[.<export>]), or the
   * value itself when it cannot be wrapped safely. `owner` is the package root: its own calls
   * through its exports are not usage by a caller.
   */
  wrap<T>(value: T, api: string, owner: string, tally: WrapTally): T {
    if ((typeof value !== 'function' && (typeof value !== 'object' || value === null)) || this.ours.has(value as object)) return value;
    const known = this.byApi.get(api)?.get(value as object);
    if (known !== undefined) return known as T;
    if (types.isProxy(value)) {
      skip(tally, 'proxy_exports');
      return value;
    }
    if (typeof value === 'function' && hasPrivateMembers(value)) {
      skip(tally, 'private_members');
      return value;
    }
    let proxy: object | undefined;
    if (typeof value === 'function') {
      if (plainWrappable(value)) proxy = this.plainWrapperOf(value, api, owner);
      else if (staticsViewable(value)) proxy = this.staticsViewOf(value, api, owner, tally);
    }
    if (proxy === undefined) {
      const members = replaceableMembers(value as object, tally);
      if (typeof value !== 'function' && members.size === 0) return value;
      proxy = this.proxyOf(value as object, api, owner, members, tally);
    }
    let cache = this.byApi.get(api);
    if (cache === undefined) this.byApi.set(api, (cache = new WeakMap()));
    cache.set(value as object, proxy);
    if (typeof value === 'function') tally.wrapped++;
    return proxy as T;
  }

  /**
   * A plain wrapper function for `original`, or undefined when its own properties cannot be
   * mirrored. The hot path is one counter and the sampling test before the call.
   */
  private plainWrapperOf(original: Function, api: string, owner: string): Function | undefined {
    const usage = this.usage;
    const gate = usage.gate(api, owner);
    let wrapper: Function;
    if (isConstructor(original)) {
      // an ordinary `function`: called, or constructed with new.target as a Proxy would forward it
      wrapper = function (this: unknown) {
        if ((++gate.calls & gate.mask) === 0) usage.attribute(gate, wrapper);
        if (new.target === undefined) return Reflect.apply(original, this, arguments);
        return Reflect.construct(original, arguments, new.target === wrapper ? original : new.target);
      };
    } else {
      // a method has no [[Construct]] and no prototype, like an arrow, async function or generator
      wrapper = {
        wrapper(this: unknown) {
          if ((++gate.calls & gate.mask) === 0) usage.attribute(gate, wrapper);
          return Reflect.apply(original, this, arguments) as unknown;
        },
      }.wrapper;
    }
    try {
      if (!mirrorOwnProperties(wrapper, original)) {
        usage.forget(gate);
        return undefined;
      }
    } catch {
      usage.forget(gate);
      return undefined;
    }
    this.ours.add(wrapper);
    rememberOriginal(wrapper, original);
    return wrapper;
  }

  /**
   * A plain wrapper function for a function with statics (lodash's `_`, dayjs, debug): reading a
   * static is an own accessor load V8 inlines, where a Proxy get trap is a call it cannot see
   * through. Every own property of the original at wrap time becomes an accessor of the same key
   * and enumerability that reads and writes the original's, so a value the package or the
   * application assigns later is seen on both sides; the getter hands out the wrapper of the
   * function the original held at wrap time, as the Proxy did. The view's [[Prototype]] is a
   * Proxy of the original that only the rare reads of other keys reach: a static the package
   * adds later (a dayjs plugin's dayjs.utc) is read from the original, one the application adds
   * is written to it. Undefined when the call wrapper cannot be made (then a Proxy).
   */
  private staticsViewOf(original: Function, api: string, owner: string, tally: WrapTally): Function | undefined {
    const view = this.viewFunctionOf(original, api, owner);
    if (view === undefined) return undefined;
    const members = replaceableMembers(original, tally);
    for (const key of Reflect.ownKeys(original)) {
      if (STANDARD_FUNCTION_KEYS.has(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(original, key)!;
      Object.defineProperty(view, key, this.forwardingAccessor(original, key, desc, members.get(key), api, owner, tally));
    }
    // A key the view lacks reaches this Proxy of the original (rarely: Function.prototype's
    // methods, statics added later). A static of the original is adopted as an accessor, so the
    // next read is fast and Object.keys shows it; an assignment goes to the original.
    const adopt = (key: PropertyKey): void => {
      const desc = Object.getOwnPropertyDescriptor(original, key);
      if (desc !== undefined && !hasOwn(view, key) && Object.isExtensible(view)) {
        Object.defineProperty(view, key, this.forwardingAccessor(original, key, desc, undefined, api, owner, tally));
      }
    };
    const shownAsOriginal = (): Function => original;
    preferFastProperties(original);
    Object.setPrototypeOf(
      view,
      new Proxy(original, {
        get(target, key, receiver) {
          if (receiver === view && typeof key === 'string' && hasOwn(target, key)) adopt(key);
          // util.inspect of the view prints the original, as it printed the Proxy's target
          if (key === INSPECT && !(INSPECT in target)) return shownAsOriginal;
          return Reflect.get(target, key, receiver);
        },
        set(target, key, value, receiver) {
          if (receiver !== view) return Reflect.set(target, key, value, receiver);
          const done = Reflect.set(target, key, value);
          if (done && hasOwn(target, key)) adopt(key);
          return done;
        },
      }),
    );
    preferFastProperties(view);
    return view;
  }

  /**
   * The callable part of a statics view: counts calls and forwards them (and `new`) like a plain
   * wrapper, and carries the original's name, length, prototype and, of a sloppy function,
   * arguments/caller. Name and length are given at creation where they can be (a computed key,
   * a template of that arity): redefined afterwards, they leave the function a hash table of
   * properties that V8 never makes fast again, and then no static read is inlined.
   */
  private viewFunctionOf(original: Function, api: string, owner: string): Function | undefined {
    const usage = this.usage;
    const gate = usage.gate(api, owner);
    let view: Function;
    const forward = (self: unknown, args: IArguments, newTarget: Function | undefined): unknown => {
      if ((++gate.calls & gate.mask) === 0) usage.attribute(gate, view);
      if (newTarget === undefined) return Reflect.apply(original, self, args);
      return Reflect.construct(original, args, newTarget === view ? original : newTarget);
    };
    const nameDesc = Object.getOwnPropertyDescriptor(original, 'name');
    const lengthDesc = Object.getOwnPropertyDescriptor(original, 'length');
    const nativeName =
      nameDesc !== undefined && typeof nameDesc.value === 'string' && nameDesc.configurable === true && !nameDesc.writable && !nameDesc.enumerable;
    const nativeLength =
      lengthDesc !== undefined &&
      configurableReadOnly(lengthDesc) &&
      Number.isInteger(lengthDesc.value) &&
      (lengthDesc.value as number) < VIEW_TEMPLATES.length;
    const name = nativeName ? (nameDesc.value as string) : '';
    const templates = VIEW_TEMPLATES[nativeLength ? (lengthDesc.value as number) : 0]!;
    view = isConstructor(original) ? templates.constructs(name, forward) : templates.calls(name, forward);
    try {
      for (const key of Reflect.ownKeys(original)) {
        if (!STANDARD_FUNCTION_KEYS.has(key) || (key === 'name' && nativeName) || (key === 'length' && nativeLength)) continue;
        const desc = Object.getOwnPropertyDescriptor(original, key)!;
        const mine = Object.getOwnPropertyDescriptor(view, key);
        // a plain assignment keeps the properties fast where the attributes already match
        if (
          key === 'prototype' &&
          mine !== undefined &&
          'value' in desc &&
          mine.writable === desc.writable &&
          mine.enumerable === desc.enumerable &&
          mine.configurable === desc.configurable
        ) {
          (view as { prototype: unknown }).prototype = desc.value;
        } else if (!Reflect.defineProperty(view, key, desc)) {
          usage.forget(gate);
          return undefined;
        }
      }
      for (const key of Reflect.ownKeys(view)) {
        if (!hasOwn(original, key) && !Reflect.deleteProperty(view, key)) {
          usage.forget(gate);
          return undefined;
        }
      }
    } catch {
      usage.forget(gate);
      return undefined;
    }
    this.ours.add(view);
    rememberOriginal(view, original);
    return view;
  }

  /** The accessor `view[key]` gets: it reads (and writes) `original[key]`, wrapping a member. */
  private forwardingAccessor(
    original: Function,
    key: PropertyKey,
    desc: PropertyDescriptor,
    member: Member | undefined,
    api: string,
    owner: string,
    tally: WrapTally,
  ): PropertyDescriptor {
    const target = original as unknown as Record<PropertyKey, unknown>;
    const exporter = this;
    // the last function read here and its wrapper (made on the first read, as the Proxy did):
    // the common read is one load and one compare
    let lastOriginal: unknown;
    let lastWrapper: unknown;
    const wrapRead = (value: unknown): unknown => {
      // a data property the application or package replaced since is theirs, not the export
      if (typeof value !== 'function' || member === undefined || (member !== ACCESSOR && member !== value)) return value;
      lastWrapper = exporter.wrap(value, `${api}.${String(key)}`, owner, tally);
      lastOriginal = value;
      return lastWrapper;
    };
    let get: (this: unknown) => unknown;
    if (member === ACCESSOR || !('value' in desc)) {
      // a getter on the original runs with the view as `this`, as it did through the Proxy
      get = function (this: unknown) {
        const value = Reflect.get(original, key, this);
        return value === lastOriginal ? lastWrapper : wrapRead(value);
      };
    } else {
      get = function () {
        const value = target[key as string];
        return value === lastOriginal ? lastWrapper : wrapRead(value);
      };
    }
    // A read-only property stays read-only: assigning it fails, throwing in strict code only.
    const readOnly = 'value' in desc ? desc.writable === false : desc.set === undefined;
    const set = readOnly
      ? undefined
      : function (this: unknown, value: unknown) {
          Reflect.set(original, key, value);
        };
    return { get, set, enumerable: desc.enumerable ?? false, configurable: true };
  }

  private proxyOf(target: object, api: string, owner: string, members: Map<PropertyKey, Member>, tally: WrapTally): object {
    const usage = this.usage;
    const wrapper = this;
    const gate: ExportGate | undefined = typeof target === 'function' ? usage.gate(api, owner) : undefined;
    // key -> the original last handed out and its wrapper: the common read is one Map lookup
    const wrappedMembers = new Map<PropertyKey, { original: Function; wrapper: Function }>();
    let proxy: object;
    const handler: ProxyHandler<object> = {
      get(t, key, receiver) {
        const value: unknown = Reflect.get(t, key, receiver);
        if (typeof value !== 'function') return value;
        const known = wrappedMembers.get(key);
        if (known !== undefined && known.original === value) return known.wrapper;
        const member = members.get(key);
        // a data property the application or package replaced since is theirs, not the export
        if (member === undefined || (member !== ACCESSOR && member !== value)) return value;
        const w = wrapper.wrap(value, `${api}.${String(key)}`, owner, tally);
        wrappedMembers.set(key, { original: value, wrapper: w });
        return w;
      },
    };
    if (gate !== undefined) {
      handler.apply = function apply(t, thisArg, args) {
        // the hot path inlined: one counter, the sampling decision, and the call
        if ((++gate.calls & gate.mask) === 0) usage.attribute(gate, apply);
        return Reflect.apply(t as Function, thisArg, args);
      };
      // new P(): the original sees itself as new.target (abstract-class checks keep working);
      // a subclass's super() call keeps the subclass as new.target.
      handler.construct = function construct(t, args, newTarget) {
        usage.called(gate, construct);
        return Reflect.construct(t as Function, args, (newTarget === proxy ? t : newTarget) as Function);
      };
    }
    proxy = new Proxy(target, handler);
    this.ours.add(proxy);
    if (typeof target === 'function') rememberOriginal(proxy, target);
    return proxy;
  }
}
