// The module.register() hooks, running on Node's hooks thread. Two jobs, chained:
// import-in-the-middle puts a wrapping facade in front of third-party package entry points
// imported by bare specifier (and nothing else: wrapping every module is what makes IITM slow
// and what broke date-fns's star exports), and every ES module's source gets the function probes.
// CommonJS is left to the compile-path hook on the application's thread.
import type { LoadHookContext, ResolveHookContext } from 'node:module';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reassignableExports } from '../transform/instrument.js';
import { ModuleTransformer, TRANSFORM_VERSION } from '../transform/module-transformer.js';
import { TransformCache } from '../transform/transform-cache.js';
import { lexModule } from './module-lexer.js';
import type { LoaderMessage, LoaderSetup } from './loader-messages.js';

type LoadResult = { format?: string | null; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean };
type NextLoad = (url: string, context?: LoadHookContext) => LoadResult | Promise<LoadResult>;
type ResolveResult = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context?: ResolveHookContext) => ResolveResult | Promise<ResolveResult>;
interface IitmHooks {
  resolve(specifier: string, context: ResolveHookContext, next: NextResolve): Promise<ResolveResult>;
  load(url: string, context: LoadHookContext, next: NextLoad): Promise<LoadResult>;
  applyOptions(options: { shouldInclude: (url: string, specifier: string) => boolean }): void;
}

let setup: LoaderSetup | undefined;
let transformer: ModuleTransformer | undefined;
let cache: TransformCache | undefined;
let iitm: IitmHooks | undefined;
let iitmRegisterUrl = '';

function post(message: LoaderMessage): void {
  try {
    setup?.port.postMessage(message);
  } catch {
    // the registering thread is gone: nothing to tell
  }
}

let loadedBatch: string[] = [];

/** Loaded modules go to the registering thread in batches: each message costs it an event. */
function reportLoaded(url: string): void {
  loadedBatch.push(url);
  if (loadedBatch.length > 1) return;
  setImmediate(() => {
    const urls = loadedBatch;
    loadedBatch = [];
    post({ type: 'modules_loaded', urls });
  }).unref();
}

const isBareSpecifier = (specifier: string): boolean => !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');

// Several `export *` in one module can make a name ambiguous, which the engine resolves by
// binding identity and IITM's facade by name: it then drops exports (date-fns@4 loses
// longFormatters). Such modules keep their exports unwrapped; their functions are still probed.
const STAR_EXPORT = /^[ \t]*export[ \t]*\*[ \t]*from\b/gm;
const facadeDecisions = new Map<string, boolean>();

/**
 * A module that only re-exports (`export * from`, `export { x } from`, an import exported again)
 * has no binding of its own a facade could freeze, which the lexer tells without starting babel
 * (a package's index often is such a module). Unsure (the lexer failed): no.
 */
function exportsOnlyFromElsewhere(source: string): boolean {
  try {
    return !lexModule(source)[1].some((entry) => entry.type === 'direct');
  } catch {
    return false;
  }
}

/** Why a facade in front of this module could change what its importers see, if it could. */
function facadeHazard(url: string): string | undefined {
  let source: string;
  try {
    source = readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return 'unreadable';
  }
  if ((source.match(STAR_EXPORT)?.length ?? 0) > 1) return 'several export * (a facade could change which names exist)';
  const key = TransformCache.keyOf([TRANSFORM_VERSION, 'reassignable-exports'], source);
  let names = cache?.get(key);
  if (names === undefined) {
    try {
      names = exportsOnlyFromElsewhere(source) ? '' : reassignableExports(source, fileURLToPath(url)).join(',');
    } catch {
      names = ''; // not parseable as a module: IITM decides for itself, as for CommonJS
    }
    cache?.put(key, names);
  }
  return names === '' ? undefined : `live bindings a facade would freeze (${names.slice(0, 200)})`;
}

/** Package entry points imported from elsewhere by name: where a package's API starts. */
function wrapsExportsOf(url: string, specifier: string): boolean {
  if (!isBareSpecifier(specifier) || !url.startsWith('file:') || !url.includes('/node_modules/') || url.endsWith('.json')) return false;
  let decision = facadeDecisions.get(url);
  if (decision === undefined) {
    const hazard = facadeHazard(url);
    decision = hazard === undefined;
    facadeDecisions.set(url, decision);
    if (hazard !== undefined) post({ type: 'wrap_notice', url, message: `${specifier}: exports left unwrapped: ${hazard}` });
  }
  return decision;
}

export async function initialize(data: LoaderSetup): Promise<void> {
  setup = data;
  cache = new TransformCache(data.cache, {
    created: (dir) => post({ type: 'cache_created', dir }),
    unusable: (message) => post({ type: 'cache_unusable', dir: data.cache.dir, message }),
  });
  transformer = new ModuleTransformer(cache);
  try {
    // import.meta.resolve is missing on the hooks thread of Node 20; IITM has no exports map.
    const hookUrl = pathToFileURL(createRequire(import.meta.url).resolve('import-in-the-middle/hook.mjs')).href;
    iitmRegisterUrl = new URL('lib/register.js', hookUrl).href;
    const { createHook } = (await import(new URL('create-hook.mjs', hookUrl).href)) as { createHook(meta: { url: string }): IitmHooks };
    const hooks = createHook({ url: hookUrl });
    hooks.applyOptions({ shouldInclude: wrapsExportsOf });
    iitm = hooks;
  } catch (err) {
    post({ type: 'transform_notice', url: 'import-in-the-middle', code: 'transform_skipped', message: `ES module exports not wrapped: ${String(err)}` });
  }
  post({ type: 'ready' });
}

function sourceText(source: LoadResult['source']): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array) return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
  if (source instanceof ArrayBuffer) return Buffer.from(source).toString('utf8');
  return undefined;
}

const isOwn = (url: string): boolean => url === iitmRegisterUrl || (setup?.excludedUrlPrefixes.some((prefix) => url.startsWith(prefix)) ?? false);

/**
 * The source of an ES module file the resolver already called one, read here in one synchronous
 * call: Node's own load reads it with four round trips to the libuv thread pool. Anything else
 * (import attributes, other formats, an unreadable file) is left to Node, which says why.
 */
function readModuleSource(url: string, context: LoadHookContext): string | undefined {
  const attributes = (context as { importAttributes?: Record<string, string> }).importAttributes;
  if (context.format !== 'module' || (attributes !== undefined && Object.keys(attributes).length > 0)) return undefined;
  try {
    return readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
}

async function probingLoad(url: string, context: LoadHookContext, next: NextLoad): Promise<LoadResult> {
  const probed = url.startsWith('file:') && !url.includes('?iitm=') && !isOwn(url);
  const early = probed && transformer !== undefined ? readModuleSource(url, context) : undefined;
  const result: LoadResult = early === undefined ? await next(url, context) : { format: 'module', source: early, shortCircuit: true };
  if (!probed) return result;
  reportLoaded(url);
  if (result.format !== 'module' || transformer === undefined) return result;
  const source = sourceText(result.source);
  if (source === undefined) return result;
  try {
    const outcome = transformer.transform(source, fileURLToPath(url), 'module');
    if (outcome.status === 'untouched') {
      post({ type: 'transform_notice', url, code: outcome.code_name, message: outcome.reason });
      return result;
    }
    return { ...result, source: outcome.code };
  } catch (err) {
    post({ type: 'transform_notice', url, code: 'transform_failed', message: `could not transform (${String(err)}); loaded untouched` });
    return result;
  }
}

export async function resolve(specifier: string, context: ResolveHookContext, next: NextResolve): Promise<ResolveResult> {
  return iitm ? iitm.resolve(specifier, context, next) : next(specifier, context);
}

export async function load(url: string, context: LoadHookContext, next: NextLoad): Promise<LoadResult> {
  const probing: NextLoad = (u, c) => probingLoad(u, c ?? context, next);
  return iitm ? iitm.load(url, context, probing) : probing(url, context);
}
