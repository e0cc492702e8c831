// Route templates from the web frameworks, looked up when a served response finishes:
// - express (4 and 5): `req.route.path` under `req.baseUrl`, which express leaves on the request;
// - fastify: its `fastify.request.handler` tracing channel names the route (`route.url`);
// - koa with @koa/router: the router sets `ctx._matchedRoute`; koa's context prototype is given
//   an accessor for that one property (when koa/lib/context loads) so the route can be
//   found from the raw request. Reads and writes of `ctx._matchedRoute` behave as before.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Recorder } from '../runtime/index.js';
import type { PackageFilePatch } from '../builtins/package-file-hook.js';

export interface FrameworkRoute {
  route: string;
  framework: string;
}

const fastifyRoutes = new WeakMap<IncomingMessage, string>();
const koaRoutes = new WeakMap<IncomingMessage, string>();

export function routeFromFramework(req: IncomingMessage): FrameworkRoute | undefined {
  const fastify = fastifyRoutes.get(req);
  if (fastify !== undefined) return { route: fastify, framework: 'fastify' };
  const koa = koaRoutes.get(req);
  if (koa !== undefined) return { route: koa, framework: 'koa' };
  const express = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };
  const path = express.route?.path;
  if (typeof path === 'string') {
    const base = typeof express.baseUrl === 'string' ? express.baseUrl : '';
    return { route: `${base}${path}` || '/', framework: 'express' };
  }
  return undefined;
}

function patchKoaContext(proto: Record<string, unknown>): void {
  if (Object.getOwnPropertyDescriptor(proto, '_matchedRoute')) return;
  const values = new WeakMap<object, unknown>();
  Object.defineProperty(proto, '_matchedRoute', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return values.get(this);
    },
    set(this: { req?: IncomingMessage }, value: unknown) {
      values.set(this, value);
      if (this.req && typeof value === 'string') koaRoutes.set(this.req, value);
    },
  });
}

export const matchedRoute = {
  install(recorder: Recorder): void {
    diagnostics.subscribe('tracing:fastify.request.handler:start', (message) => {
      try {
        const m = message as { request?: { raw?: IncomingMessage }; route?: { url?: unknown } };
        if (m.request?.raw && typeof m.route?.url === 'string') fastifyRoutes.set(m.request.raw, m.route.url);
      } catch {
        recorder.fault();
      }
    });
  },
};

/** The package files whose loading the web inventory waits for. */
export function webFilePatches(): Map<string, PackageFilePatch> {
  return new Map([
    [
      'koa/lib/context',
      (exports: unknown) => {
        if (exports && typeof exports === 'object') patchKoaContext(exports as Record<string, unknown>);
      },
    ],
  ]);
}
