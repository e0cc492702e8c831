// AdmissionReviews too big to answer on the server's own thread. JSON.parse takes 30 to 100 ms
// a MiB (deeply nested junk is the slowest), and on one thread clients posting big bodies back
// to back held every other request behind them: a valid review took 13.8 s under such load,
// where the API server gives up after 5. A request whose body may be big takes one of a few
// places before its body is read (reading is work too: TLS decryption); it is answered on one
// worker thread, one at a time. Small bodies, as every ordinary pod review has, never wait here.
import { Worker } from 'node:worker_threads';
import { helperWorkerOptions } from '../own/helper-threads.js';
import { MalformedReviewError, type AdmissionAnswer } from './admission-review.js';
import type { InjectionSettings, OptInScope } from './pod-injection.js';
import type { ReviewJob, ReviewResult } from './review-worker.js';

/** Bodies up to this size are answered on the server's thread: a few milliseconds at most. */
export const INLINE_MAX_BYTES = 64 * 1024;
/** Requests with big bodies taken at once, from reading the body to the answer; beyond, 503. */
export const LARGE_REVIEW_PLACES = 4;

interface Pending {
  resolve: (answer: AdmissionAnswer) => void;
  reject: (err: Error) => void;
}

export class LargeReviewQueue {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private placesTaken = 0;

  constructor(private readonly settings: InjectionSettings) {}

  /** A place for one request with a big body, or false when all are taken; give it back with leave(). */
  enter(): boolean {
    if (this.placesTaken >= LARGE_REVIEW_PLACES) return false;
    this.placesTaken++;
    return true;
  }

  leave(): void {
    this.placesTaken--;
  }

  /** Answers on the worker thread; for a request that entered. */
  answer(body: Buffer, scope: OptInScope): Promise<AdmissionAnswer> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      // A body that owns its memory moves to the worker instead of being copied.
      const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      const job: ReviewJob = { id, body, scope };
      worker.postMessage(job, owned ? [body.buffer as ArrayBuffer] : []);
    });
  }

  close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failPending('the server is stopping');
    return worker ? worker.terminate().then(() => undefined) : Promise.resolve();
  }

  private failPending(why: string): void {
    for (const job of this.pending.values()) job.reject(new Error(why));
    this.pending.clear();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./review-worker.js', import.meta.url), helperWorkerOptions(this.settings));
    worker.on('message', (result: ReviewResult) => {
      const job = this.pending.get(result.id);
      if (!job) return;
      this.pending.delete(result.id);
      if (this.pending.size === 0) worker.unref();
      if ('answer' in result) job.resolve(result.answer);
      else if ('malformed' in result) job.reject(new MalformedReviewError(result.malformed));
      else job.reject(new Error(result.failed));
    });
    // A worker that dies (out of memory on a hostile body) fails its jobs; the next job starts another.
    const stopped = (why: string): void => {
      if (this.worker !== worker) return; // 'exit' after 'error', or closed
      this.worker = undefined;
      this.failPending(`the review worker stopped: ${why}`);
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
