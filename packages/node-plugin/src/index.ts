// Entry of `node --import @apitrace/node-plugin`: records this process into APITRACE_DIR.
// Everything here runs inside the observed application: it must never throw into it.
// Worker threads re-run --import preloads: each records into its own file (origin "thread").
import { Recorder } from './runtime/index.js';

export { PLUGIN_VERSION } from './runtime/index.js';

const dir = process.env['APITRACE_DIR'];
if (dir) {
  try {
    Recorder.start(dir);
  } catch {
    // Recorder.start reports its own failures; nothing may reach the application
  }
}
