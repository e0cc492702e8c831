// Synchronous transforms on a thread of their own (see transform-thread.ts for why): the
// CommonJS compile hook must return the probed source before the module runs, so the calling
// thread posts the request and sleeps on a shared flag until the transform thread answers.
// The thread starts on the first cache miss only and never keeps the process alive.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ModuleFormat } from './instrument.js';
import type { TransformReply } from './transform-thread.js';

/** The transform thread could not answer: nothing is known about the file itself. */
export class TransformUnavailable extends Error {}

/** A transform taking longer than this is abandoned: the file loads untouched. */
const TRANSFORM_TIMEOUT_MS = 60_000;

export class OffThreadInstrumenter {
  private port: MessagePort | undefined;
  private worker: Worker | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));

  private start(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    // execArgv []: the plugin (given by --import) is not loaded into its own helper thread.
    this.worker = new Worker(new URL('./transform-thread.js', import.meta.url), {
      workerData: { port: port2, signal: this.signal },
      transferList: [port2],
      execArgv: [],
      stdout: false,
      stderr: false,
    });
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
    Atomics.store(this.signal, 0, 0);
    port.postMessage({ source, format, filename });
    if (Atomics.wait(this.signal, 0, 0, TRANSFORM_TIMEOUT_MS) === 'timed-out') {
      this.stop();
      throw new TransformUnavailable(`the transform thread did not answer within ${TRANSFORM_TIMEOUT_MS} ms`);
    }
    const reply = receiveMessageOnPort(port)?.message as TransformReply | undefined;
    if (reply === undefined) throw new TransformUnavailable('the transform thread answered nothing');
    if (!reply.ok) throw new Error(reply.error);
    return { code: reply.code };
  }
}
