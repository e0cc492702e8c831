// Worker threads of apitrace itself (the analysis workers). Node applies the preloads of
// NODE_OPTIONS to every worker whose `env` carries it, whatever `execArgv` says, so a core run
// under an injected NODE_OPTIONS would load the node plugin into its own workers and record
// them. They are started without NODE_OPTIONS: no plugin, ours or the user's, loads there.
import type { WorkerOptions } from 'node:worker_threads';

export function helperWorkerOptions(workerData: unknown): WorkerOptions {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NODE_OPTIONS'];
  return { workerData, env, execArgv: [] };
}
