// One require-in-the-middle hook for every package file the API recorders wait for (database
// drivers, koa's context, built-ins not patched yet): one more layer on `require` in all, not
// one per recorder. Internal
// files are named without extension (`pg/lib/client`); they are seen even when the
// application imports the package from ESM, because the package's own requires are CommonJS.
import { createRequire } from 'node:module';
import type { Recorder } from '../runtime/index.js';

const require = createRequire(import.meta.url);

/** Called with the file's exports and the package root ('' for a built-in) once it has loaded. */
export type PackageFilePatch = (exports: unknown, packageRoot: string) => void;

export function hookPackageFiles(recorder: Recorder, patches: ReadonlyMap<string, PackageFilePatch>): void {
  if (patches.size === 0) return;
  const { Hook } = require('require-in-the-middle') as typeof import('require-in-the-middle');
  new Hook([...patches.keys()], { internals: true }, (exports, name, basedir) => {
    try {
      const patch = patches.get(name);
      if (patch) patch(exports, basedir ?? '');
    } catch {
      recorder.fault();
    }
    return exports;
  });
}
