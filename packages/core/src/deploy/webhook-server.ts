// `apitrace webhook serve`: the mutating admission webhook over HTTPS. POST /mutate/pod and
// /mutate/namespace answer AdmissionReviews (see admission-review.ts), GET /healthz says ready.
// A request it cannot read gets a 4xx with one clear line; nothing a client sends stops the server.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerAdmissionReview, MalformedReviewError } from './admission-review.js';
import type { InjectionSettings, OptInScope } from './pod-injection.js';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

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
  const server = createServer({ cert: options.cert, key: options.key }, respond);
  // `Expect: 100-continue`: say no to an oversized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaredTooLarge(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) res.writeContinue();
    respond(req, res);
  });
  // Slow or stalled clients must not hold connections forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('tlsClientError', (err) => options.log(`TLS handshake failed: ${err.message}`));
  server.on('clientError', (err, socket) => {
    options.log(`bad HTTP request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
