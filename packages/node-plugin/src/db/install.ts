// Waits for the database drivers to load and wraps their query methods with the same
// recording wrapper as the built-ins.
import { createRequire } from 'node:module';
import type { Recorder } from '../runtime/index.js';
import { patchMethod } from '../builtins/api-wrapper.js';
import { DRIVER_PATCHES, driverDefinition } from './drivers.js';

const require = createRequire(import.meta.url);

export function installDatabaseRecorders(recorder: Recorder): void {
  const { Hook } = require('require-in-the-middle') as typeof import('require-in-the-middle');
  const byFile = new Map(DRIVER_PATCHES.map((p) => [p.file, p]));
  new Hook([...byFile.keys()], { internals: true }, (exports, name, basedir) => {
    try {
      const patch = byFile.get(name);
      const target = patch?.target(exports);
      if (patch && target && basedir) {
        for (const method of patch.names) patchMethod(recorder, target, method, driverDefinition(patch, method, basedir));
      }
    } catch {
      recorder.fault();
    }
    return exports;
  });
}
