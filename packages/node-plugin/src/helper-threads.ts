// Threads the plugin starts inside the observed process (the transform thread). Node applies
// the preloads of NODE_OPTIONS (our own --import among them) to every worker it starts, even
// with `execArgv: []`; only a worker whose `env` has no NODE_OPTIONS is spared. So a helper is
// started without NODE_OPTIONS, and carries a marker the entry checks before anything else:
// a helper that loaded the plugin anyway would record itself and start helpers of its own.
import { isMainThread, workerData, type WorkerOptions } from 'node:worker_threads';

const HELPER_MARKER = '__apitraceHelperThread';

/** Worker options that keep every plugin (ours and the user's preloads) out of a helper thread. */
export function helperThreadOptions(data: Record<string, unknown>, transferList: WorkerOptions['transferList']): WorkerOptions {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NODE_OPTIONS'];
  return {
    workerData: { ...data, [HELPER_MARKER]: true },
    ...(transferList ? { transferList } : {}),
    execArgv: [],
    env,
    stdout: false,
    stderr: false,
  };
}

/** True on a thread the plugin started itself: nothing may be recorded or hooked there. */
export function isHelperThread(): boolean {
  return !isMainThread && typeof workerData === 'object' && workerData !== null && (workerData as Record<string, unknown>)[HELPER_MARKER] === true;
}
