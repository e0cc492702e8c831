// Every API recorder of this half of the plugin, installed in one call from the entry:
// built-in modules, the web API inventory, database drivers. Never throws.
import type { Recorder } from '../runtime/index.js';
import { installDatabaseRecorders } from '../db/index.js';
import { installWebRecorders } from '../web/index.js';
import { installBuiltinRecorders } from './install.js';

export function installApiRecorders(recorder: Recorder): void {
  for (const install of [installBuiltinRecorders, installWebRecorders, installDatabaseRecorders]) {
    try {
      install(recorder);
    } catch {
      recorder.fault();
    }
  }
}
