// The database drivers' files to wait for, each wrapping its query methods with the same
// recording wrapper as the built-ins once the file has loaded.
import type { Recorder } from '../runtime/index.js';
import { patchMethod } from '../builtins/api-wrapper.js';
import type { PackageFilePatch } from '../builtins/package-file-hook.js';
import { DRIVER_PATCHES, driverDefinition } from './drivers.js';

export function databaseFilePatches(recorder: Recorder): Map<string, PackageFilePatch> {
  return new Map(
    DRIVER_PATCHES.map((patch) => [
      patch.file,
      (exports: unknown, root: string) => {
        const target = patch.target(exports);
        if (!target) return;
        for (const method of patch.names) patchMethod(recorder, target, method, driverDefinition(patch, method, root));
      },
    ]),
  );
}
