// `apitrace webhook serve`: the mutating admission webhook over HTTPS. POST /mutate/pod and
// /mutate/namespace answer AdmissionReviews (see admission-review.ts), GET /healthz says ready.
// A request it cannot read gets a 4xx with one clear line; nothing a client sends stops the server.
// It must answer within the webhook's timeout (5 s by default) whatever other clients do: slow
// ones are cut off after a few seconds, and only a few big bodies are read and parsed at once,
// off the server's thread (large-review-queue.ts), which also bounds the memory they take.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerAdmissionReview, MalformedReviewError } from './admission-review.js';
import { INLINE_MAX_BYTES, LargeReviewQueue } from './large-review-queue.js';
import type { InjectionSettings, OptInScope } from './pod-injection.js';
import { declaredLength, declaredTooLarge, drained, readBody } from './request-body.js';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** The API server sends a request at once: these only ever cut off slow or stalled clients. */
const HANDSHAKE_TIMEOUT_MS = 5_000;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** How often those timeouts are checked (Node's default, 30 s, let a stalled client stay 40 s). */
const TIMEOUT_CHECK_MS = 1_000;
/** Far above what API servers open; keeps file descriptors and memory bounded under a flood. */
export const MAX_CONNECTIONS = 1024;

export const WEBHOOK_PATHS: Record<OptInScope, string> = { pod: '/mutate/pod', namespace: '/mutate/namespace' };

export interface WebhookServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  settings: InjectionSettings;
  maxBodyBytes?: number;
  log: (line: string) => void;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function scopeOf(url: string | undefined): OptInScope | undefined {
  const path = (url ?? '').split('?')[0];
  return (Object.keys(WEBHOOK_PATHS) as OptInScope[]).find((scope) => WEBHOOK_PATHS[scope] === path);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: WebhookServerOptions, largeReviews: LargeReviewQueue): Promise<void> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz')) {
    sendText(res, 200, 'ok');
    return;
  }
  const scope = scopeOf(req.url);
  if (!scope) {
    sendText(res, 404, `apitrace webhook: no such endpoint ${req.url ?? ''} (POST AdmissionReviews to ${Object.values(WEBHOOK_PATHS).join(' or ')})`);
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendText(res, 405, `apitrace webhook: ${req.method ?? '?'} not allowed on ${req.url ?? ''} (POST an AdmissionReview)`);
    return;
  }
  // Chunked bodies declare no length: they may be big.
  const mayBeLarge = (declaredLength(req) ?? Infinity) > INLINE_MAX_BYTES;
  if (mayBeLarge && !largeReviews.enter()) {
    busy(res, options, 'other large requests are being answered');
    return;
  }
  try {
    const read = await readBody(req, limit);
    if ('aborted' in read) return;
    if ('tooLarge' in read) {
      options.log(`rejected a body over ${limit} bytes from ${req.socket.remoteAddress ?? '?'}`);
      sendText(res, 413, `apitrace webhook: request body over ${limit} bytes (an AdmissionReview of a pod is far smaller)`);
      // Draining is work too (TLS decryption): it keeps the place until done, or the request times out.
      await drained(req);
      return;
    }
    const answer =
      read.body.length <= INLINE_MAX_BYTES
        ? answerAdmissionReview(read.body.toString('utf8'), scope, options.settings)
        : await largeReviews.answer(read.body, scope);
    options.log(answer.logLine);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.review));
  } catch (err) {
    if (err instanceof MalformedReviewError) {
      options.log(`rejected a malformed AdmissionReview: ${err.message}`);
      sendText(res, 400, `apitrace webhook: malformed AdmissionReview: ${err.message}`);
      return;
    }
    throw err;
  } finally {
    if (mayBeLarge) largeReviews.leave();
  }
}

/**
 * Too much at once: 503 (with failurePolicy Ignore the pod is created as it is), a log line, and
 * the connection closed with the body unread.
 */
function busy(res: ServerResponse, options: WebhookServerOptions, why: string): void {
  options.log(`refused a request from ${res.req.socket.remoteAddress ?? '?'}: busy: ${why}`);
  res.setHeader('connection', 'close');
  sendText(res, 503, `apitrace webhook: busy: ${why} (retry later)`);
}

export function createWebhookServer(options: WebhookServerOptions): Server {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const largeReviews = new LargeReviewQueue(options.settings);
  const respond = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, options, largeReviews).catch((err: Error) => {
      // With failurePolicy Ignore the API server creates the pod unchanged after a 500.
      options.log(`internal error: ${err.stack ?? String(err)}`);
      try {
        sendText(res, 500, `apitrace webhook: internal error: ${err.message}`);
      } catch {
        res.destroy();
      }
    });
  };
  const server = createServer(
    {
      cert: options.cert,
      key: options.key,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    respond,
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.on('close', () => void largeReviews.close());
  // `Expect: 100-continue`: say no to an oversized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaredTooLarge(req, limit)) res.writeContinue();
    respond(req, res);
  });
  server.on('tlsClientError', (err) => options.log(`TLS handshake failed: ${err.message}`));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Before the handshake there is no one to answer (tlsClientError logs it); writing would
    // wait for a handshake that never comes, and keep the socket for good.
    if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' || !socket.writable) {
      socket.destroy();
      return;
    }
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    options.log(timedOut ? 'cut off a client too slow to send its request' : `bad HTTP request: ${err.message}`);
    // Closed once the answer is out, whether or not the client ever closes its side.
    socket.end(`HTTP/1.1 ${timedOut ? '408 Request Timeout' : '400 Bad Request'}\r\nconnection: close\r\n\r\n`, () => socket.destroy());
  });
  return server;
}
