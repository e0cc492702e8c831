// Entry of `node --import @apitrace/node-plugin`: records this process into APITRACE_DIR.
// Everything here runs inside the observed application: it must never throw into it.
// Worker threads re-run --import preloads: each records into its own file (origin "thread")
// and installs its own load-time hooks.
import { installLoadTimeHooks } from './hooks/load-time-hooks.js';
import { installApiRecorders } from './builtins/index.js';
import { Recorder } from './runtime/index.js';

export { PLUGIN_VERSION } from './runtime/index.js';

const dir = process.env['APITRACE_DIR'];
if (dir) {
  let recorder: Recorder | undefined;
  try {
    recorder = Recorder.start(dir);
  } catch {
    // Recorder.start reports its own failures; nothing may reach the application
  }
  if (recorder) {
    installApiRecorders(recorder);
    try {
      // Awaited: the application's first import must find the hooks in place.
      await installLoadTimeHooks(recorder);
    } catch {
      recorder.fault();
    }
  }
}
