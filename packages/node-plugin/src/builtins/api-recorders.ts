// Every API recorder of this half of the plugin, installed in one call from the entry:
// built-in modules, the web API inventory, database drivers (and koa's context, for routes)
// through one package-file hook. Never throws.
import { databaseFilePatches } from '../db/index.js';
import type { Recorder } from '../runtime/index.js';
import { installWebRecorders, webFilePatches } from '../web/index.js';
import { checkLoadedBuiltins, installBuiltinRecorders } from './install.js';
import { hookPackageFiles } from './package-file-hook.js';

export function installApiRecorders(recorder: Recorder): void {
  let waitingBuiltins: string[] = [];
  const installs = [
    (r: Recorder) => {
      waitingBuiltins = installBuiltinRecorders(r).waitingFor;
    },
    installWebRecorders,
    (r: Recorder) => {
      // require('http') (or 'node:http') of a built-in not patched yet: patch it right away
      const builtins = waitingBuiltins.flatMap((m) => [m, `node:${m}`]).map((m) => [m, checkLoadedBuiltins] as const);
      hookPackageFiles(r, new Map([...databaseFilePatches(r), ...webFilePatches(), ...builtins]));
    },
  ];
  for (const install of installs) {
    try {
      install(recorder);
    } catch {
      recorder.fault();
    }
  }
}
