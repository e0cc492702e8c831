// Every API recorder of this half of the plugin, installed in one call from the entry:
// built-in modules, the web API inventory, database drivers (and koa's context, for routes)
// through one package-file hook. Never throws.
import { databaseFilePatches } from '../db/index.js';
import type { Recorder } from '../runtime/index.js';
import { installWebRecorders, webFilePatches } from '../web/index.js';
import { installBuiltinRecorders } from './install.js';
import { hookPackageFiles } from './package-file-hook.js';

export function installApiRecorders(recorder: Recorder): void {
  const installs = [
    installBuiltinRecorders,
    installWebRecorders,
    (r: Recorder) => hookPackageFiles(r, new Map([...databaseFilePatches(r), ...webFilePatches()])),
  ];
  for (const install of installs) {
    try {
      install(recorder);
    } catch {
      recorder.fault();
    }
  }
}
