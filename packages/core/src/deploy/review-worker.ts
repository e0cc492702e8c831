// The worker thread behind large-review-queue.ts: answers the big AdmissionReview bodies it is
// posted, one at a time, so their parsing never holds the server's own thread.
import { parentPort, workerData } from 'node:worker_threads';
import { answerAdmissionReview, MalformedReviewError } from './admission-review.js';
import type { InjectionSettings, OptInScope } from './pod-injection.js';

export interface ReviewJob {
  id: number;
  body: Uint8Array;
  scope: OptInScope;
}

export type ReviewResult =
  { id: number; answer: ReturnType<typeof answerAdmissionReview> } | { id: number; malformed: string } | { id: number; failed: string };

const settings = workerData as InjectionSettings;
const port = parentPort!;
const decoder = new TextDecoder();

port.on('message', ({ id, body, scope }: ReviewJob) => {
  let result: ReviewResult;
  try {
    result = { id, answer: answerAdmissionReview(decoder.decode(body), scope, settings) };
  } catch (err) {
    result = err instanceof MalformedReviewError ? { id, malformed: err.message } : { id, failed: (err as Error).stack ?? String(err) };
  }
  port.postMessage(result);
});
