// Node's CommonJS loader resolves and reads module files through the public fs functions:
// `fs.realpathSync(path, { [realpathCacheKey]: cache })` in toRealPath, then
// `fs.readFileSync(realPath, 'utf8')` in Module._extensions. Those calls are module loading
// (code_unit records report it), not the application's file access. Recognising them by their
// arguments spares a stack capture per module; the stack check in the runtime
// (isOwnOrLoaderCall) stays as the backstop for any other loader call.

/** Real paths the loader resolved and has not read yet. */
const resolvedByLoader = new Set<string>();

/** The loader's realpath options: no string keys, exactly its one internal symbol key. */
export function isLoaderRealpath(args: readonly unknown[]): boolean {
  const options = args[1];
  if (typeof args[0] !== 'string' || options === null || typeof options !== 'object') return false;
  return Object.keys(options).length === 0 && Object.getOwnPropertySymbols(options).length === 1;
}

export function noteLoaderRealpath(value: unknown): void {
  if (typeof value === 'string' && resolvedByLoader.size < 10_000) resolvedByLoader.add(value);
}

/** readFileSync(path, 'utf8') of a path the loader has just resolved: the loader's read. */
export function isLoaderRead(args: readonly unknown[]): boolean {
  return typeof args[0] === 'string' && args[1] === 'utf8' && resolvedByLoader.delete(args[0]);
}
