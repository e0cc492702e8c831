// The web API inventory: requests served (node:http/https servers, with the route template
// from express, fastify or koa when one matched) and requests made (node:http/https clients
// and fetch), counted in web_api records. Everything comes from diagnostics channels, which
// Node and the frameworks publish anyway: no server or client object is wrapped. Only the
// method, a templated path, the host:port and the status are kept: never headers, cookies or
// query strings.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse, ClientRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowNs, type Recorder, type SpanStart } from '../runtime/index.js';
import { pathOfTarget, templatePath } from './route-template.js';
import { checkLoadedBuiltins } from '../builtins/install.js';
import { matchedRoute, routeFromFramework } from './framework-routes.js';

type Scheme = 'http' | 'https';

// When a served request started: a symbol-keyed property on the request (a WeakMap entry per
// request costs the garbage collector far more; nothing of the application reads our symbol).
const servedStartAt = Symbol('apitrace.servedStart');
type TimedRequest = IncomingMessage & { [servedStartAt]?: number };
const calledStart = new WeakMap<object, number>();
const listenerHost = new WeakMap<Server, string>();

function hostOfServer(server: Server | undefined, req: IncomingMessage): string | undefined {
  if (server) {
    const known = listenerHost.get(server);
    if (known !== undefined) return known;
  }
  const addr = (server?.address() ?? null) as AddressInfo | string | null;
  let host: string | undefined;
  if (addr && typeof addr === 'object') host = addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
  else if (typeof addr === 'string') host = addr;
  else if (req.socket?.localPort) host = `${req.socket.localAddress}:${req.socket.localPort}`;
  if (server && host !== undefined) listenerHost.set(server, host);
  return host;
}

function subscribe(recorder: Recorder, channel: string, onMessage: (message: any) => void): void {
  diagnostics.subscribe(channel, (message) => {
    try {
      onMessage(message);
    } catch {
      recorder.fault();
    }
  });
}

export function installWebRecorders(recorder: Recorder): void {
  subscribe(recorder, 'http.server.request.start', (m: { request: TimedRequest }) => {
    m.request[servedStartAt] = nowNs();
  });
  subscribe(recorder, 'http.server.response.finish', (m: { request: IncomingMessage; response: ServerResponse; server?: Server }) => {
    const req = m.request as TimedRequest;
    const t = nowNs();
    const t0 = req[servedStartAt];
    const framework = routeFromFramework(req);
    const secure = Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted);
    recorder.countWeb({
      direction: 'served',
      method: (req.method ?? 'GET').toUpperCase(),
      scheme: secure ? 'https' : 'http',
      host: hostOfServer(m.server, req),
      route: framework?.route ?? templatePath(pathOfTarget(req.url ?? '/')),
      status: m.response.statusCode,
      framework: framework?.framework,
      t,
      dur_ns: t0 === undefined ? undefined : t - t0,
    });
  });

  subscribe(recorder, 'http.client.request.start', (m: { request: ClientRequest }) => {
    calledStart.set(m.request, nowNs());
    checkLoadedBuiltins(); // an ESM-imported http or https: patch it for the next request
  });
  const clientDone = (request: ClientRequest, status: number): void => {
    const t = nowNs();
    const t0 = calledStart.get(request);
    if (t0 === undefined) return;
    calledStart.delete(request);
    const protocol = (request as { protocol?: string }).protocol === 'https:' ? 'https' : 'http';
    const hostHeader = request.getHeader('host');
    const host = typeof hostHeader === 'string' ? hostHeader : (request as { host?: string }).host;
    recorder.countWeb({
      direction: 'called',
      method: (request.method ?? 'GET').toUpperCase(),
      scheme: protocol as Scheme,
      host: host === undefined ? undefined : withDefaultPort(host, protocol),
      route: templatePath(pathOfTarget(request.path ?? '/')),
      status,
      t,
      dur_ns: t - t0,
    });
  };
  subscribe(recorder, 'http.client.response.finish', (m: { request: ClientRequest; response: IncomingMessage }) =>
    clientDone(m.request, m.response.statusCode ?? 0),
  );
  subscribe(recorder, 'http.client.request.error', (m: { request: ClientRequest }) => clientDone(m.request, 0));

  // fetch (undici, bundled with Node): one request object per fetch, and a span per fetch
  // (node:fetch) from its creation to its response headers or error.
  const fetchGate = recorder.gate('node:fetch', 'http');
  const fetchSpans = new WeakMap<object, { start: SpanStart; t0: number; args: Record<string, string> }>();
  // subscribed directly (not through subscribe()) so that the stack above it starts at undici
  const onFetchCreate = (message: unknown): void => {
    try {
      fetchCreated(message as { request: { origin?: string | URL; method?: string; path?: string } });
    } catch {
      recorder.fault();
    }
  };
  const fetchCreated = (m: { request: { origin?: string | URL; method?: string; path?: string } }): void => {
    const t0 = nowNs();
    calledStart.set(m.request, t0);
    if (fetchGate.sampledOut()) return;
    let args: Record<string, string>;
    try {
      const origin = new URL(String(m.request.origin));
      const peer = withDefaultPort(origin.host, origin.protocol === 'https:' ? 'https' : 'http');
      args = {
        method: (m.request.method ?? 'GET').toUpperCase(),
        url: `${origin.protocol}//${origin.host}${pathOfTarget(m.request.path ?? '/')}`,
        host: origin.hostname,
        peer,
      };
    } catch {
      args = {};
    }
    const start = recorder.attributeCall(fetchGate, onFetchCreate, args['peer'], undefined);
    if (start !== undefined) fetchSpans.set(m.request, { start, t0, args });
  };
  diagnostics.subscribe('undici:request:create', onFetchCreate);
  const fetchSpanDone = (request: object, result: { ret?: number; error?: string }): void => {
    const span = fetchSpans.get(request);
    if (span === undefined) return;
    fetchSpans.delete(request);
    // [t0, t1] is the moment undici created the request on this thread; connecting, sending
    // and receiving come later (async), joined by peer.
    recorder.writeCall({
      api: 'node:fetch',
      category: 'http',
      t0: span.t0,
      t1: span.t0,
      caller: span.start.caller,
      stack: span.start.stack,
      args: span.args,
      result,
      async: true,
    });
  };
  subscribe(recorder, 'undici:request:headers', (m: { request: object; response: { statusCode?: number } }) =>
    fetchSpanDone(m.request, { ret: m.response.statusCode ?? 0 }),
  );
  subscribe(recorder, 'undici:request:error', (m: { request: object; error?: { code?: unknown; name?: unknown } }) =>
    fetchSpanDone(m.request, { error: typeof m.error?.code === 'string' ? m.error.code : typeof m.error?.name === 'string' ? m.error.name : 'Error' }),
  );
  const fetchDone = (request: { origin?: string | URL; method?: string; path?: string }, status: number): void => {
    const t = nowNs();
    const t0 = calledStart.get(request);
    if (t0 === undefined) return;
    calledStart.delete(request);
    let scheme: Scheme = 'http';
    let host: string | undefined;
    try {
      const origin = new URL(String(request.origin));
      scheme = origin.protocol === 'https:' ? 'https' : 'http';
      host = withDefaultPort(origin.host, scheme);
    } catch {
      host = undefined;
    }
    recorder.countWeb({
      direction: 'called',
      method: (request.method ?? 'GET').toUpperCase(),
      scheme,
      host,
      route: templatePath(pathOfTarget(request.path ?? '/')),
      status,
      t,
      dur_ns: t - t0,
    });
  };
  subscribe(recorder, 'undici:request:headers', (m: { request: object; response: { statusCode?: number } }) =>
    fetchDone(m.request, m.response.statusCode ?? 0),
  );
  subscribe(recorder, 'undici:request:error', (m: { request: object }) => fetchDone(m.request, 0));

  matchedRoute.install(recorder);
}

function withDefaultPort(host: string, scheme: string): string {
  if (/:\d+$/.test(host)) return host;
  return `${host}:${scheme === 'https' ? 443 : 80}`;
}
