// Entry of `node --import @apitrace/node-plugin`: records this process into APITRACE_DIR.
// Everything here runs inside the observed application: it must never throw into it.
// Worker threads re-run --import preloads: each records into its own file (origin "thread")
// and installs its own load-time hooks; threads the plugin started itself are left alone.
// The recorder is imported only when it will run, so a helper thread or a process without
// APITRACE_DIR pays for this file alone.
import { isHelperThread } from './helper-threads.js';

const dir = process.env['APITRACE_DIR'];
if (dir && !isHelperThread()) {
  try {
    const { startRecording } = await import('./start-recording.js');
    // Awaited: the application's first import must find the hooks in place.
    await startRecording(dir);
  } catch {
    // startRecording reports its own failures; nothing may reach the application
  }
}
