// Starts recording this process or worker thread: the recorder, the built-in API recorders,
// then the load-time hooks, installed before the application's first import.
import { installLoadTimeHooks } from './hooks/load-time-hooks.js';
import { installApiRecorders } from './builtins/index.js';
import { Recorder } from './runtime/index.js';

export async function startRecording(dir: string): Promise<void> {
  let recorder: Recorder | undefined;
  try {
    recorder = Recorder.start(dir);
  } catch {
    // Recorder.start reports its own failures; nothing may reach the application
  }
  if (!recorder) return;
  installApiRecorders(recorder);
  try {
    await installLoadTimeHooks(recorder);
  } catch {
    recorder.fault();
  }
}
