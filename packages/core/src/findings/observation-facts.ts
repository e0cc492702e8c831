// Facts about an observation that several rules ask: which frame is the application's own
// code, and whether the caller is a runtime or the distribution's own package.
import type { ModelFrame } from '../model/app-model.js';
import type { Observation } from './rule.js';

// Frames of the runtimes' own libraries: the call is theirs, the caller is further out.
const RUNTIME_FRAME = /^(java|javax|jdk|sun|com\.sun)\./;

function isRuntimeFrame(f: ModelFrame): boolean {
  return (f.file?.startsWith('node:') ?? false) || RUNTIME_FRAME.test(f.fn) || f.file === undefined;
}

/**
 * The innermost frame of the code that made the call: the first frame of the application's own
 * code, else the first language frame outside the runtimes' libraries (java.*, node:internal),
 * else the first language frame with a file, else the native caller.
 */
export function callingFrame(o: Observation): ModelFrame | undefined {
  const frames = (o.stack?.frames ?? []).slice(1);
  const language = frames.filter((f) => f.lang !== 'native');
  // the application's own code first: a JDBC driver or an npm package between it and the API is not the call site
  const application = language.find((f) => f.component !== undefined && o.applicationComponents?.has(f.component) === true && f.file !== undefined);
  if (application) return application;
  const own = language.find((f) => !isRuntimeFrame(f) && f.line !== undefined) ?? language.find((f) => !isRuntimeFrame(f));
  if (own) return own;
  const withFile = language.find((f) => f.file !== undefined && !f.file.startsWith('node:'));
  if (withFile) return withFile;
  return frames.find((f) => f.lang === 'native' && f.fn !== '?') ?? frames[0] ?? o.stack?.frames[0];
}

/** The stack shows the JVM agent transforming a class: the agent's own work, not the application's. */
export function isAgentWork(o: Observation): boolean {
  return (o.stack?.frames ?? []).some((f) => f.fn.startsWith('sun.instrument.') || f.fn.startsWith('dev.apitrace.agent.'));
}

export function frameText(f: ModelFrame | undefined): string {
  if (!f) return 'unknown code';
  const where = f.file ? ` (${f.file}${f.line === undefined ? '' : `:${f.line}`})` : f.unit ? ` [${f.unit}]` : '';
  return `${f.fn}${where}`;
}

/** The caller is a language runtime (node, the JVM, libc): its own JIT or internals, not the application. */
export const callerIsRuntime = (o: Observation): boolean => o.caller?.kind === 'runtime';

/** The caller is a package of the operating system's distribution (dpkg), not shipped with the application. */
export const callerIsDistribution = (o: Observation): boolean => o.caller?.debian !== undefined;

export const hasFlags = (o: Observation, ...flags: string[]): boolean => flags.every((f) => o.flags.has(f));

export const stringArg = (o: Observation, name: string): string | undefined => {
  const v = o.args[name];
  return typeof v === 'string' ? v : undefined;
};

// The contract's secret_context words (docs/events.md), for emitters that flag weak algorithms
// without judging the context: a function on the stack named for a secret.
const SECRET_WORDS = /token|key|passw|pwd|secret|salt|nonce|credential/i;

/** A language function on the stack (not the API itself) is named for making or checking a secret. */
export function stackSaysSecret(o: Observation): boolean {
  const frames = o.stack?.frames ?? [];
  return frames.slice(1).some((f) => f.lang !== 'native' && SECRET_WORDS.test(f.fn.slice(f.fn.lastIndexOf('.') + 1)));
}

/**
 * The native code that made the call is named for a secret: a named function of its calling site
 * (the function the shim's frame falls in, or one inlined there), before any language frame. The
 * native counterpart of the secret_context flag the language emitters set from their stacks.
 */
export function nativeCallerSaysSecret(o: Observation): boolean {
  for (const f of (o.stack?.frames ?? []).slice(1)) {
    if (f.lang !== 'native') return false;
    if (f.fn !== '?' && SECRET_WORDS.test(f.fn)) return true;
  }
  return false;
}
