// The thread that runs babel for the application's thread. Babel and its dependencies (semver,
// debug, ...) are packages the application may load itself: required on the application's
// thread they would share its module cache, so a cache miss while the application is loading
// semver would hand babel a half-evaluated semver. Here they live in an isolate of their own.
// It is started by helper-threads.ts, so no plugin is loaded here and nothing here is recorded.
import { workerData, type MessagePort } from 'node:worker_threads';
import { osThreadId } from '../runtime/thread-id.js';
import { instrument, type ModuleFormat } from './instrument.js';

export interface TransformRequest {
  /** echoed in the reply: the caller matches each reply to its request */
  id: number;
  source: string;
  format: ModuleFormat;
  filename: string;
}

export type TransformReply = { id: number } & ({ ok: true; code: string } | { ok: false; error: string });

/** signal[0]: 1 when a reply is ready; signal[1]: this thread's OS tid, set before the first reply */
const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
Atomics.store(signal, 1, osThreadId() ?? 0);

port.on('message', (request: TransformRequest) => {
  let reply: TransformReply;
  try {
    reply = { id: request.id, ok: true, code: instrument(request.source, request.format, request.filename).code };
  } catch (err) {
    reply = { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
