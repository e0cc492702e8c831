// Wraps what a third-party package exports so each call is counted, without changing what the
// application can observe. A plain function export (no statics, not a class) becomes a plain
// wrapper function: V8 inlines it into the caller, where a Proxy apply trap is a call it cannot
// see through. It carries the original's name, length, prototype and [[Prototype]], passes
// `this`, arguments, return values and exceptions through untouched, and has [[Construct]] only
// when the original has (an ordinary `function`): then `new` forwards with the original as
// new.target. Anything else callable (classes, functions with statics or symbols) becomes a
// Proxy whose apply/construct traps count and forward with Reflect: fn.length, fn.name, statics,
// `this`, `new`, `new.target`, instanceof and subclassing all reach the original. An exports
// object becomes a Proxy whose get trap hands out the wrapped version of the functions it held
// at wrap time; the object itself, and every function the package uses internally, stay untouched.
//
// Not shimmer: shimmer marks a wrapper with __original/__wrapped/__unwrap properties, which on a
// Proxy land on the original function and change its own property names.
import { types } from 'node:util';
import { rememberOriginal } from './function-source.js';
import { EXPORT_ATTRIBUTE_ALL_CALLS } from '../runtime/attribution-sampling.js';
import { type ExportGate, type PackageUsage } from './package-usage.js';

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
    const plain = typeof value === 'function' && plainWrappable(value) ? this.plainWrapperOf(value, api, owner) : undefined;
    let proxy: object;
    if (plain !== undefined) proxy = plain;
    else {
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
        if (++gate.calls > EXPORT_ATTRIBUTE_ALL_CALLS && (gate.calls & gate.mask) !== 0) gate.pending++;
        else usage.attribute(gate, wrapper);
        if (new.target === undefined) return Reflect.apply(original, this, arguments);
        return Reflect.construct(original, arguments, new.target === wrapper ? original : new.target);
      };
    } else {
      // a method has no [[Construct]] and no prototype, like an arrow, async function or generator
      wrapper = {
        wrapper(this: unknown) {
          if (++gate.calls > EXPORT_ATTRIBUTE_ALL_CALLS && (gate.calls & gate.mask) !== 0) gate.pending++;
          else usage.attribute(gate, wrapper);
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
        if (++gate.calls > EXPORT_ATTRIBUTE_ALL_CALLS && (gate.calls & gate.mask) !== 0) gate.pending++;
        else usage.attribute(gate, apply);
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
