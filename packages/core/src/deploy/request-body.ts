// Reads a request body into memory, up to the largest body one request may send.
import type { IncomingMessage } from 'node:http';

export type BodyRead = { body: Buffer } | { tooLarge: true } | { aborted: true };

/** The body's declared length, when it declares one (not chunked). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isFinite(declared) ? declared : undefined;
}

export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  return (declaredLength(req) ?? 0) > limit;
}

/** Resolves once the rest of a body answered before it was read has been drained, or the request is gone. */
export function drained(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve();
    req.once('end', () => resolve());
    req.once('close', () => resolve());
  });
}

export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, limit)) {
      req.resume();
      resolve({ tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (read: BodyRead): void => {
      chunks.length = 0;
      done = true;
      resolve(read);
    };
    req.on('data', (chunk: Buffer) => {
      // Past the limit the rest is drained unread, so the client still sees the 413.
      if (done) return;
      size += chunk.length;
      if (size > limit) finish({ tooLarge: true });
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) finish({ body: Buffer.concat(chunks, size) });
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
    // A request cut off by a timeout or a reset may end with neither 'end' nor 'error'.
    req.on('close', () => {
      if (!done) finish({ aborted: true });
    });
  });
}
