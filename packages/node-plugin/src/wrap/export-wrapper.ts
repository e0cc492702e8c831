// Wraps what a third-party package exports so each call is counted, without changing what the
// application can observe. A callable export becomes a Proxy whose apply/construct traps count
// and forward with Reflect: fn.length, fn.name, statics, `this`, `new`, `new.target`,
// instanceof and subclassing all reach the original. An exports object becomes a Proxy whose
// get trap hands out the wrapped version of the functions it held at wrap time; the object
// itself, and every function the package uses internally, stay untouched.
//
// Not shimmer: shimmer marks a wrapper with __original/__wrapped/__unwrap properties, which on a
// Proxy land on the original function and change its own property names.
import { types } from 'node:util';
import { rememberOriginal } from './function-source.js';
import { ATTRIBUTE_ALL_CALLS, ATTRIBUTE_ONE_IN, type ExportGate, type PackageUsage } from './package-usage.js';

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

export class ExportWrapper {
  /** Every Proxy made here: never wrapped twice (CommonJS seen by both RITM and IITM). */
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
    const members = replaceableMembers(value as object, tally);
    if (typeof value !== 'function' && members.size === 0) return value;
    const proxy = this.proxyOf(value as object, api, owner, members, tally);
    let cache = this.byApi.get(api);
    if (cache === undefined) this.byApi.set(api, (cache = new WeakMap()));
    cache.set(value as object, proxy);
    if (typeof value === 'function') tally.wrapped++;
    return proxy as T;
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
        if (++gate.calls > ATTRIBUTE_ALL_CALLS && (gate.calls & (ATTRIBUTE_ONE_IN - 1)) !== 0) gate.pending++;
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
