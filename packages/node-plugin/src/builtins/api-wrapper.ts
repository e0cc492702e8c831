// The one mechanism that turns an API definition into a recording wrapper. Every built-in
// (and database driver) API goes through here: the wrapper decides through the runtime gate
// whether this call becomes a span, times exactly the original call, and follows the
// callback or promise of asynchronous forms to its completion.
//
// What the application sees is unchanged: same `this`, same arguments (a callback is wrapped
// only to note when it ran, and is called with the same `this` and arguments), same return
// value or thrown error, same `name`, `length` and own properties (util.promisify.custom,
// realpathSync.native). Our own faults are counted, never thrown.
import { guard, nowNs, type ApiGate, type Recorder, type SiteInspector, type SpanStart } from '../runtime/index.js';
import type { Category } from '../runtime/index.js';
import { errorResult, summariseValue, type Scalar } from './summaries.js';

export type Args = Record<string, Scalar>;

/** What a call's arguments say, before it runs. */
export interface CallFacts {
  args?: Args;
  /** the api_usage subject when the call is only counted (a path, host:port, program) */
  subject?: string;
  flags?: string[];
}

export interface ApiDefinition {
  api: string;
  category: Category;
  /** summarises arguments; must not call into the application (no getters of its own objects beyond plain reads) */
  facts?: (args: readonly unknown[], self: unknown) => CallFacts | undefined;
  /**
   * How the call completes: `auto` follows a trailing callback or a returned promise (the span
   * ends when the result is delivered and is marked async); `return` ends at return.
   */
  completion?: 'auto' | 'return';
  /** marks `return`-completing calls whose work continues later (streams, sockets) */
  async?: boolean;
  /** flags from the stack (secret_context); null: not the application's call, do not record */
  inspect?: SiteInspector;
  /** like inspect, with the call's arguments (the SQL-injection clue needs both) */
  inspectCall?: (args: readonly unknown[], ...site: Parameters<SiteInspector>) => ReturnType<SiteInspector>;
  /** result summary; default summariseValue */
  result?: (value: unknown, args: readonly unknown[]) => Scalar | undefined;
  /** directory whose frames are not the caller (a driver's own code) */
  skipUnder?: string;
  /** a call recognised by its arguments as Node's own (module loading): not recorded at all */
  nodesOwnCall?: (args: readonly unknown[]) => boolean;
  /** sees the value of such a call */
  afterNodesOwnCall?: (value: unknown) => void;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const UNCOPIED = new Set<string | symbol>(['length', 'name', 'prototype', 'arguments', 'caller']);

/** Gives `wrapper` the name, length and own properties of `original`. */
export function mirrorFunction(wrapper: Function, original: Function): void {
  for (const key of Reflect.ownKeys(original)) {
    if (UNCOPIED.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(original, key);
    if (d) {
      try {
        Object.defineProperty(wrapper, key, d);
      } catch {
        // a non-configurable property we cannot mirror: the wrapper simply lacks it
      }
    }
  }
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
}

interface Started {
  start: SpanStart;
  facts: CallFacts | undefined;
}

/** Set by install.ts: patches built-ins the application has loaded since the last call. */
let onAttributedCall: () => void = () => {};
export function setAttributedCallHook(hook: () => void): void {
  onAttributedCall = hook;
}

function begin(recorder: Recorder, gate: ApiGate, def: ApiDefinition, skip: Function, args: unknown[], self: unknown): Started | undefined {
  try {
    onAttributedCall();
    const facts = def.facts?.(args, self);
    const inspectCall = def.inspectCall;
    const inspect: SiteInspector | undefined = inspectCall ? (sites, caller) => inspectCall(args, sites, caller) : def.inspect;
    const start = recorder.attributeCall(gate, skip, facts?.subject, facts?.flags, inspect);
    return start === undefined ? undefined : { start, facts };
  } catch {
    recorder.fault();
    return undefined;
  }
}

function finish(
  recorder: Recorder,
  def: ApiDefinition,
  started: Started,
  args: readonly unknown[],
  t0: number,
  t1: number,
  outcome: { value?: unknown; error?: unknown },
  isAsync: boolean,
): void {
  try {
    let result: { ret?: Scalar; errno?: number; error?: string } | undefined;
    if ('error' in outcome && outcome.error !== undefined) result = errorResult(outcome.error);
    else {
      const ret = (def.result ?? summariseValue)(outcome.value, args);
      result = ret === undefined ? undefined : { ret };
    }
    const flags = [...(started.facts?.flags ?? []), ...(started.start.flags ?? [])];
    recorder.writeCall({
      api: def.api,
      category: def.category,
      t0,
      t1,
      caller: started.start.caller,
      stack: started.start.stack,
      args: started.facts?.args,
      result,
      async: isAsync,
      flags,
    });
  } catch {
    recorder.fault();
  }
}

function isNativePromise(v: unknown): v is Promise<unknown> {
  return v instanceof Promise && v.constructor === Promise;
}

/**
 * Calls the original of a call that is counted or not the application's: with the guard held,
 * so the built-ins it calls in turn (readFileSync -> openSync) are not recorded on their own.
 */
function passThrough(original: AnyFunction, self: unknown, args: unknown[]): unknown {
  guard.depth++;
  try {
    return Reflect.apply(original, self, args);
  } finally {
    guard.depth--;
  }
}

/** A function that records `def` around every call of `original`. */
export function recordingWrapper(recorder: Recorder, def: ApiDefinition, original: AnyFunction): AnyFunction {
  const gate = recorder.gate(def.api, def.category);
  gate.skipUnder = def.skipUnder;
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    // Inside a recorded call or our own work: the outer span already covers this call.
    if (guard.depth > 0 || new.target !== undefined) {
      return new.target !== undefined ? Reflect.construct(original, args, new.target) : Reflect.apply(original, this, args);
    }
    if (def.nodesOwnCall !== undefined && def.nodesOwnCall(args)) {
      const value = passThrough(original, this, args);
      def.afterNodesOwnCall?.(value);
      return value;
    }
    if (gate.sampledOut()) return passThrough(original, this, args);
    const started = begin(recorder, gate, def, wrapper, args, this);
    if (started === undefined) return passThrough(original, this, args);

    const last = args.length - 1;
    const followCallback = def.completion !== 'return' && last >= 0 && typeof args[last] === 'function';
    let callArgs = args;
    let t0 = 0;
    let returnedAt: number | undefined;
    if (followCallback) {
      const callback = args[last] as AnyFunction;
      callArgs = args.slice();
      let finished = false;
      callArgs[last] = function (this: unknown, ...cbArgs: unknown[]): unknown {
        // one record per call, even from a library that calls back twice (mysql2 on a lost connection)
        if (!finished) {
          finished = true;
          const err = cbArgs[0];
          finish(recorder, def, started, args, t0, returnedAt ?? nowNs(), err instanceof Error ? { error: err } : { value: cbArgs[1] }, true);
        }
        return Reflect.apply(callback, this, cbArgs);
      };
    }
    guard.depth++;
    let value: unknown;
    t0 = nowNs();
    try {
      value = Reflect.apply(original, this, callArgs);
    } catch (error) {
      const t1 = nowNs();
      guard.depth--;
      finish(recorder, def, started, args, t0, t1, { error }, false);
      throw error;
    }
    const t1 = nowNs();
    returnedAt = t1;
    guard.depth--;
    // Asynchronous forms: the span is [t0, return] on this thread, marked async, and written
    // when the outcome is known. Its work runs on the thread pool after t1, where the core joins
    // it by arguments; a span held open until the callback would swallow whatever else this
    // thread does meanwhile.
    if (followCallback) return value;
    if (def.completion !== 'return' && isNativePromise(value)) {
      // The application gets the derived promise: it settles like the original, one tick later,
      // and an unhandled rejection stays unhandled (ours rethrows).
      return value.then(
        (v) => {
          finish(recorder, def, started, args, t0, t1, { value: v }, true);
          return v;
        },
        (error: unknown) => {
          finish(recorder, def, started, args, t0, t1, { error }, true);
          throw error;
        },
      );
    }
    finish(recorder, def, started, args, t0, t1, { value }, def.async === true);
    return value;
  };
  mirrorFunction(wrapper, original);
  return wrapper as AnyFunction;
}

/**
 * Replaces `target[name]` with its recording wrapper, keeping the property's attributes.
 * Returns false (left untouched) when the property is missing, not a function, or cannot be
 * redefined.
 */
export function patchMethod(recorder: Recorder, target: object, name: string, def: ApiDefinition): boolean {
  const d = Object.getOwnPropertyDescriptor(target, name);
  if (!d || typeof d.value !== 'function') return false;
  if (!d.writable && !d.configurable) return false;
  const wrapper = recordingWrapper(recorder, def, d.value as AnyFunction);
  try {
    Object.defineProperty(target, name, { ...d, value: wrapper });
    return true;
  } catch {
    return false;
  }
}

/**
 * A constructor that records `def` around every `new`: a Proxy, so `instanceof`, statics,
 * `new.target` and subclassing behave as with the original class.
 */
export function recordingConstructor<T extends new (...args: any[]) => object>(recorder: Recorder, def: ApiDefinition, original: T): T {
  const gate = recorder.gate(def.api, def.category);
  const handler: ProxyHandler<T> = {
    construct(target, args, newTarget) {
      if (guard.depth > 0 || gate.sampledOut()) return Reflect.construct(target, args, newTarget);
      const started = begin(recorder, gate, def, proxyConstruct, args, undefined);
      if (started === undefined) return Reflect.construct(target, args, newTarget);
      guard.depth++;
      const t0 = nowNs();
      try {
        const value = Reflect.construct(target, args, newTarget);
        const t1 = nowNs();
        guard.depth--;
        finish(recorder, def, started, args, t0, t1, { value }, def.async === true);
        return value;
      } catch (error) {
        const t1 = nowNs();
        guard.depth--;
        finish(recorder, def, started, args, t0, t1, { error }, false);
        throw error;
      }
    },
  };
  const proxyConstruct = handler.construct!;
  return new Proxy(original, handler);
}
