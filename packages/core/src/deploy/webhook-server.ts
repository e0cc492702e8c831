// `apitrace webhook serve`: the mutating admission webhook over HTTPS. POST /mutate/pod and
// /mutate/namespace answer AdmissionReviews (see admission-review.ts), GET /healthz says ready.
// A request it cannot read gets a 4xx with one clear line; nothing a client sends stops the server.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerAdmissionReview, MalformedReviewError } from './admission-review.js';
import type { InjectionSettings, OptInScope } from './pod-injection.js';

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

function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

function readBody(req: IncomingMessage, limit: number): Promise<{ body: string } | { tooLarge: true }> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, limit)) {
      req.resume();
      resolve({ tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained unread, so the client still sees the 413.
      if (size > limit) {
        chunks.length = 0;
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

function scopeOf(url: string | undefined): OptInScope | undefined {
  const path = (url ?? '').split('?')[0];
  return (Object.keys(WEBHOOK_PATHS) as OptInScope[]).find((scope) => WEBHOOK_PATHS[scope] === path);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: WebhookServerOptions): Promise<void> {
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
  const read = await readBody(req, limit);
  if ('tooLarge' in read) {
    options.log(`rejected a body over ${limit} bytes from ${req.socket.remoteAddress ?? '?'}`);
    sendText(res, 413, `apitrace webhook: request body over ${limit} bytes (an AdmissionReview of a pod is far smaller)`);
    return;
  }
  try {
    const answer = answerAdmissionReview(read.body, scope, options.settings);
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
  }
}

export function createWebhookServer(options: WebhookServerOptions): Server {
  const respond = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, options).catch((err: Error) => {
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
  // `Expect: 100-continue`: say no to an oversized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaredTooLarge(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) res.writeContinue();
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
