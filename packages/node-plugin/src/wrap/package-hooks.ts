// Where package exports get wrapped: require-in-the-middle for CommonJS `require` of a package's
// main module, import-in-the-middle for ES module imports of a package by name (the hooks thread
// decides which modules get IITM's facade, see hooks/esm-loader-hooks.ts). Only third-party
// packages (under node_modules) are wrapped; built-ins are the built-in recorders' job.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { guard, nowNs, ownWork, owningPackage, type Recorder } from '../runtime/index.js';
import { readFileSync } from 'node:fs';
import { ExportWrapper, newTally, readsCallSites, skipPackage, type WrapTally } from './export-wrapper.js';
import { packageUsage } from './package-usage.js';

type RitmHook = new (
  modules: string[] | null,
  options: { internals: boolean },
  onrequire: (exports: unknown, name: string, basedir?: string) => unknown,
) => unknown;
type IitmAddHook = (hook: (url: string, namespace: Record<string, unknown>) => void) => void;

const isThirdParty = (root: string | undefined): root is string => root !== undefined && root.includes('/node_modules/');

function reportSkipped(recorder: Recorder, root: string, name: string, tally: WrapTally): void {
  const total = [...tally.skipped.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return;
  const reasons = [...tally.skipped.entries()].map(([reason, n]) => `${reason} ${n}`).join(', ');
  recorder.write({
    kind: 'notice',
    level: 'info',
    code: 'wrap_skipped',
    subject: root,
    count: total,
    t: nowNs(),
    message: `${name}: ${total} export(s) left unwrapped, unsafe to wrap (${reasons})`,
  });
}

/** Whether the package's entry file reads call sites; unreadable counts as yes (left alone). */
function entryReadsCallSites(file: string | undefined): boolean {
  if (file === undefined) return true;
  try {
    return readsCallSites(readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}

export function installPackageWrapping(recorder: Recorder): void {
  const usage = packageUsage();
  if (usage === undefined) return;
  const wrapper = new ExportWrapper(usage);
  const require = createRequire(import.meta.url);

  const { Hook } = require('require-in-the-middle') as { Hook: RitmHook };
  // Loaded before the require hook exists, so our own require of it is not wrapped and counted.
  const { addHook } = require('import-in-the-middle') as { addHook: IitmAddHook };
  new Hook(null, { internals: false }, (exports, name, basedir) => {
    // our own lazily loaded dependencies (babel on a cache miss) are not the application's
    if (!isThirdParty(basedir) || guard.depth > 0) return exports;
    try {
      const tally = newTally();
      let entry: string | undefined;
      try {
        entry = require.resolve(name, { paths: [basedir] });
      } catch {
        entry = undefined;
      }
      if (ownWork(() => entryReadsCallSites(entry), true)) {
        skipPackage(tally, 'reads_call_sites');
        reportSkipped(recorder, basedir, name, tally);
        return exports;
      }
      const wrapped = wrapper.wrap(exports, `npm:${name}`, basedir, tally);
      reportSkipped(recorder, basedir, name, tally);
      return wrapped;
    } catch {
      recorder.fault();
      return exports;
    }
  });

  addHook((url, namespace) => {
    try {
      if (!url.startsWith('file:')) return;
      const owner = ownWork(() => owningPackage(fileURLToPath(url)), undefined);
      if (owner === undefined || owner.name === undefined || !isThirdParty(owner.root)) return;
      const tally = newTally();
      if (ownWork(() => entryReadsCallSites(fileURLToPath(url)), true)) {
        skipPackage(tally, 'reads_call_sites');
        reportSkipped(recorder, owner.root, owner.name, tally);
        return;
      }
      for (const key of Object.keys(namespace)) {
        const value = namespace[key];
        if (typeof value !== 'function' && !(key === 'default' && typeof value === 'object')) continue;
        const wrapped = wrapper.wrap(value, key === 'default' ? `npm:${owner.name}` : `npm:${owner.name}.${key}`, owner.root, tally);
        if (wrapped !== value) namespace[key] = wrapped;
      }
      reportSkipped(recorder, owner.root, owner.name, tally);
    } catch {
      recorder.fault();
    }
  });
}
