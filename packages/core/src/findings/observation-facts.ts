// Facts about an observation that several rules ask: which frame is the application's own
// code, and whether the caller is a runtime or the distribution's own package.
import type { ModelFrame } from '../model/app-model.js';
import type { Observation } from './rule.js';

/** The innermost frame of the code that made the call: a language frame with a file, else the native caller. */
export function callingFrame(o: Observation): ModelFrame | undefined {
  const frames = o.stack?.frames ?? [];
  const language = frames.find((f) => f.lang !== 'native' && f.file !== undefined && !f.file.startsWith('node:') && f.line !== undefined);
  if (language) return language;
  return frames.find((f, i) => i > 0 && f.lang === 'native' && f.fn !== '?' ) ?? frames[1] ?? frames[0];
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
