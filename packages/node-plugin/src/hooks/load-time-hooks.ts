// Installs everything that acts when code loads, on this thread: the probe registry, the
// CommonJS compile hook, package export wrapping, and the ESM hooks thread (module.register),
// whose set-up is acknowledged before the first ES module can load: before this returns, or,
// for a program whose entry is surely CommonJS, only once one is about to (esm-demand.ts).
import Module from 'node:module';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nowNs, ownWork, owningPackage, type Recorder } from '../runtime/index.js';
import { writeFunctionInventory } from '../probes/function-inventory.js';
import { ProbeRegistry } from '../probes/probe-registry.js';
import { ModuleTransformer } from '../transform/module-transformer.js';
import { OffThreadInstrumenter } from '../transform/off-thread-instrument.js';
import { TransformCache, transformCacheLocation, type CacheLocation } from '../transform/transform-cache.js';
import { installPackageWrapping } from '../wrap/package-hooks.js';
import { installCompileHook } from './commonjs-compile-hook.js';
import { entryIsCommonJs, mayLoadEsModule } from './esm-demand.js';
import { hookLibraryDirs } from './hook-libraries.js';
import type { LoaderMessage, LoaderSetup } from './loader-messages.js';

/** dist/src/ of this plugin: never transformed. */
const PLUGIN_DIR = fileURLToPath(new URL('../', import.meta.url));
/** module.register as Node has it, before registerAfterApitrace stands in for it. */
const nodeRegister = Module.register;
/** How long start-up may wait for the hooks thread before going on without ES module hooks. */
const HOOKS_READY_TIMEOUT_MS = 10_000;

class ModuleRecords {
  private readonly seen = new Set<string>();
  constructor(private readonly recorder: Recorder) {}

  loaded(path: string, how: 'import' | 'require'): void {
    if (this.seen.has(path)) return;
    this.seen.add(path);
    // reading package.json is our work, not a file access of the application
    const owner = ownWork(() => owningPackage(path), undefined);
    const record: Record<string, unknown> = { kind: 'code_unit', t: nowNs(), unit: 'module', how, path };
    if (owner?.name !== undefined) {
      record['package'] = owner.version === undefined ? { name: owner.name, root: owner.root } : { name: owner.name, version: owner.version, root: owner.root };
    }
    this.recorder.write({ kind: 'code_unit', ...record });
  }

  notice(code: string, subject: string, message: string, level: 'info' | 'warn' = 'warn'): void {
    this.recorder.write({ kind: 'notice', level, code, message, subject, count: 1, t: nowNs() });
  }

  /** Paths and threads of the plugin's own work, which the core leaves out of the application's. */
  own(activity: { paths?: string[]; tids?: number[] }): void {
    this.recorder.write({ kind: 'own_activity', t: nowNs(), ...activity });
  }

  /** Both the hooks thread's cache and this thread's may find it unusable: said once per process. */
  private cacheUnusableSaid = false;
  cacheUnusable(dir: string, message: string): void {
    if (this.cacheUnusableSaid) return;
    this.cacheUnusableSaid = true;
    this.notice('transform_cache_unusable', dir, message);
  }
}

function handleLoaderMessage(message: LoaderMessage, modules: ModuleRecords): void {
  if (message.type === 'modules_loaded') for (const url of message.urls) modules.loaded(fileURLToPath(url), 'import');
  else if (message.type === 'transform_notice')
    modules.notice(message.code, message.url.startsWith('file:') ? fileURLToPath(message.url) : message.url, message.message);
  else if (message.type === 'wrap_notice') modules.notice('wrap_skipped', fileURLToPath(message.url), message.message, 'info');
  else if (message.type === 'cache_created') modules.own({ paths: [message.dir] });
  else if (message.type === 'cache_unusable') modules.cacheUnusable(message.dir, message.message);
}

function waitUntilReady(port: MessagePort, modules: ModuleRecords): Promise<boolean> | boolean {
  // On Node 20 register() returns after the hooks' initialize() ran: the answer is usually there.
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const message = m.message as LoaderMessage;
    if (message.type === 'ready') return true;
    handleLoaderMessage(message, modules);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), HOOKS_READY_TIMEOUT_MS);
    const onMessage = (message: LoaderMessage): void => {
      if (message.type !== 'ready') return handleLoaderMessage(message, modules);
      clearTimeout(timer);
      port.off('message', onMessage);
      resolve(true);
    };
    port.on('message', onMessage);
  });
}

export async function installLoadTimeHooks(recorder: Recorder): Promise<void> {
  const cacheLocation = transformCacheLocation();
  const modules = new ModuleRecords(recorder);

  const registry = new ProbeRegistry();
  registry.install();
  recorder.onFlush(() => writeFunctionInventory(registry, recorder));

  modules.own({ paths: [cacheLocation.dir] });
  const offThread = new OffThreadInstrumenter((tid) => modules.own({ tids: [tid] }));
  const cache = new TransformCache(cacheLocation, {
    created: (dir) => modules.own({ paths: [dir] }),
    unusable: (message) => modules.cacheUnusable(cacheLocation.dir, message),
  });
  const transformer = new ModuleTransformer(cache, (source, format, filename) => offThread.instrument(source, format, filename));
  const ownDirs = [PLUGIN_DIR, ...ownWork(() => hookLibraryDirs(fileURLToPath(import.meta.url)), [])];
  const isOwn = (filename: string): boolean => ownDirs.some((dir) => filename.startsWith(dir));
  // ES module hooks: now, or (a surely CommonJS program) just before the first ES module can load
  let esmHooks: Promise<void> | undefined;
  let esmHooksStarted = false;
  const startEsmHooks = (): Promise<void> | undefined => {
    if (!esmHooksStarted) {
      esmHooksStarted = true; // before registering: register() below must not come back here
      esmHooks = registerEsmHooks(modules, recorder, cacheLocation, ownDirs);
    }
    return esmHooks;
  };

  installCompileHook(transformer, ownWork, {
    // `[eval]-wrapper` and the like are no files: no unit to inventory, and babel would start
    // cold for every different `node -e` line
    shouldProbe: (filename) => filename.startsWith('/') && !isOwn(filename),
    willCompile: (content, filename, format) => {
      if (!esmHooksStarted && !isOwn(filename) && mayLoadEsModule(content, filename, format)) void startEsmHooks();
    },
    compiled: (filename, outcome) => {
      if (isOwn(filename)) return;
      modules.loaded(filename, 'require');
      if (outcome?.status === 'untouched') modules.notice(outcome.code_name, filename, outcome.reason);
    },
  });

  try {
    installPackageWrapping(recorder);
  } catch {
    recorder.fault();
  }

  if (!ownWork(() => entryIsCommonJs(), false)) {
    await startEsmHooks();
    return;
  }
  // The application's own hooks go in after ours, as when ours are registered at start-up.
  const moduleApi = Module as unknown as { register: typeof nodeRegister };
  const applicationRegister = moduleApi.register;
  if (typeof applicationRegister !== 'function') return; // a Node without module.register
  moduleApi.register = function registerAfterApitrace(this: unknown, ...args: Parameters<typeof nodeRegister>) {
    void startEsmHooks();
    return applicationRegister.apply(this, args);
  } as typeof nodeRegister;
}

/** Registers the ES module hooks; resolves once the hooks thread answered (or gave up waiting). */
async function registerEsmHooks(modules: ModuleRecords, recorder: Recorder, cacheLocation: CacheLocation, ownDirs: string[]): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const setup: LoaderSetup = { port: port2, cache: cacheLocation, excludedUrlPrefixes: ownDirs.map((dir) => pathToFileURL(dir).href) };
  try {
    nodeRegister(new URL('./esm-loader-hooks.js', import.meta.url), { parentURL: import.meta.url, data: setup, transferList: [port2] });
  } catch (err) {
    modules.notice('esm_hooks_failed', 'module.register', `ES modules not instrumented: ${String(err)}`);
    return;
  }
  const ready = await waitUntilReady(port1, modules);
  if (!ready)
    modules.notice('esm_hooks_failed', 'module.register', `the hooks thread did not answer within ${HOOKS_READY_TIMEOUT_MS} ms; ES modules may load unprobed`);
  port1.on('message', (message: LoaderMessage) => handleLoaderMessage(message, modules));
  port1.unref();
  // Messages the hooks thread sent about the last modules may not have been delivered yet.
  recorder.onExit(() => {
    for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) handleLoaderMessage(m.message as LoaderMessage, modules);
  });
}
