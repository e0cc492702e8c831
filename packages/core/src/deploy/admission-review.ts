// AdmissionReview admission.k8s.io/v1: reads a request, answers it. Every answer allows the
// object: apitrace must never be the reason a pod is not created.
import { decidePodInjection, type InjectionSettings, type OptInScope } from './pod-injection.js';

export interface AdmissionAnswer {
  /** the AdmissionReview to send back */
  review: unknown;
  /** one line for the server log */
  logLine: string;
}

/** The request body is not an AdmissionReview we can answer: HTTP 400 with this message. */
export class MalformedReviewError extends Error {}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseReview(body: string): { request: JsonObject; uid: string } {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (err) {
    throw new MalformedReviewError(`the body is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(review)) throw new MalformedReviewError('the body is not a JSON object');
  if (review['apiVersion'] !== 'admission.k8s.io/v1' || review['kind'] !== 'AdmissionReview') {
    throw new MalformedReviewError(
      `expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got ${JSON.stringify(review['apiVersion'])} ${JSON.stringify(review['kind'])}` +
        ' (set admissionReviewVersions: [v1] in the webhook configuration)',
    );
  }
  const request = review['request'];
  if (!isObject(request)) throw new MalformedReviewError('the AdmissionReview has no request object');
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') throw new MalformedReviewError('the AdmissionReview request has no uid');
  return { request, uid };
}

function answer(uid: string, warnings: string[], patch?: unknown[]): unknown {
  const response: JsonObject = { uid, allowed: true };
  if (patch && patch.length > 0) {
    response['patchType'] = 'JSONPatch';
    response['patch'] = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (warnings.length > 0) response['warnings'] = warnings;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

function podLabel(request: JsonObject): string {
  const object = isObject(request['object']) ? request['object'] : {};
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const name = metadata['name'] ?? metadata['generateName'] ?? request['name'] ?? '?';
  const namespace = request['namespace'] ?? metadata['namespace'] ?? '?';
  return `${String(namespace)}/${String(name)}`;
}

/** Answers one AdmissionReview body; throws MalformedReviewError for a body that is not one. */
export function answerAdmissionReview(body: string, scope: OptInScope, settings: InjectionSettings): AdmissionAnswer {
  const { request, uid } = parseReview(body);
  try {
    return answerRequest(request, uid, scope, settings);
  } catch (err) {
    // A bug of ours: still an answer the API server accepts, and the pod is created as it is.
    return { review: failureAnswer(uid, (err as Error).message), logLine: `${uid}: internal error: ${(err as Error).stack ?? String(err)}` };
  }
}

function answerRequest(request: JsonObject, uid: string, scope: OptInScope, settings: InjectionSettings): AdmissionAnswer {
  const dryRun = request['dryRun'] === true ? ' (dry run)' : '';
  const who = `${uid} ${podLabel(request)}${dryRun}`;
  const kind = isObject(request['kind']) ? request['kind'] : {};
  if (kind['group'] !== '' || kind['kind'] !== 'Pod' || (request['subResource'] ?? '') !== '') {
    const what = `${String(kind['group'] || 'core')}/${String(kind['version'] ?? '?')} ${String(kind['kind'] ?? '?')}${request['subResource'] ? `/${String(request['subResource'])}` : ''}`;
    return { review: answer(uid, [`apitrace: only pods are injected, not ${what}`]), logLine: `${who}: not a pod (${what})` };
  }
  if (request['operation'] !== 'CREATE') {
    return { review: answer(uid, []), logLine: `${who}: ${String(request['operation'])} left alone (only CREATE is injected)` };
  }
  // Injection has no side effects, so a dry run gets exactly the answer a real request would.
  const decision = decidePodInjection(request['object'], scope, settings);
  return { review: answer(uid, decision.warnings, decision.patch), logLine: `${who}: ${decision.outcome}` };
}

function failureAnswer(uid: string, why: string): unknown {
  return answer(uid, [`apitrace: pod not injected: internal error: ${why}`]);
}
