// Synchronous transforms on a thread of their own (see transform-thread.ts for why): the
// CommonJS compile hook must return the probed source before the module runs, so the calling
// thread posts the request and sleeps on a shared flag until the transform thread answers.
// The thread starts on the first cache miss only and never keeps the process alive.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { helperThreadOptions } from '../helper-threads.js';
import type { ModuleFormat } from './instrument.js';
import type { TransformReply } from './transform-thread.js';

/** The transform thread could not answer: nothing is known about the file itself. */
export class TransformUnavailable extends Error {}

/** A transform taking longer than this is abandoned: the file loads untouched. */
const TRANSFORM_TIMEOUT_MS = 60_000;

export class OffThreadInstrumenter {
  private port: MessagePort | undefined;
  private worker: Worker | undefined;
  /** [0]: a reply is ready; [1]: the transform thread's OS tid (transform-thread.ts) */
  private signal = new Int32Array(new SharedArrayBuffer(8));
  private tidReported = false;
  private requests = 0;

  /** `started` learns the OS tid of each transform thread, after its first answer. */
  constructor(private readonly started: (tid: number) => void = () => {}) {}

  private start(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    // a flag of its own: a stopped thread still finishing its last transform must not wake us
    this.signal = new Int32Array(new SharedArrayBuffer(8));
    this.worker = new Worker(new URL('./transform-thread.js', import.meta.url), helperThreadOptions({ port: port2, signal: this.signal }, [port2]));
    this.tidReported = false;
    this.worker.unref();
    this.worker.on('error', () => this.stop());
    port1.unref();
    this.port = port1;
    return port1;
  }

  private stop(): void {
    this.port?.close();
    this.port = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  instrument(source: string, format: ModuleFormat, filename: string): { code: string } {
    const port = this.port ?? this.start();
    const id = ++this.requests;
    port.postMessage({ id, source, format, filename });
    const deadline = Date.now() + TRANSFORM_TIMEOUT_MS;
    for (;;) {
      Atomics.store(this.signal, 0, 0);
      // Replies are taken until this request's own: a reply that came too late for an earlier
      // request must never stand for this file (it would run, and be cached, as this file).
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const reply = m.message as TransformReply;
        if (reply.id !== id) continue;
        this.reportTid();
        if (!reply.ok) throw new Error(reply.error);
        return { code: reply.code };
      }
      const left = deadline - Date.now();
      // the transform thread sets the flag after posting its reply: a reply posted since the
      // loop above makes this return at once
      if (left <= 0 || Atomics.wait(this.signal, 0, 0, left) === 'timed-out') {
        this.stop();
        throw new TransformUnavailable(`the transform thread did not answer within ${TRANSFORM_TIMEOUT_MS} ms`);
      }
    }
  }

  private reportTid(): void {
    if (this.tidReported) return;
    this.tidReported = true;
    const tid = Atomics.load(this.signal, 1);
    if (tid > 0) this.started(tid);
  }
}
