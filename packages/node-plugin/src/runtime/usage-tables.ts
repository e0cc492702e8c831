// Aggregation of api_usage and web_api between flushes. Each drain returns the deltas since
// the previous drain and forgets them (docs/events.md, Keys and deltas), so memory is bounded
// by the number of distinct keys in one flush interval, which is bounded too: keys past the
// bound are counted as dropped and reported once per flush by the recorder.
export type Category =
  | 'file'
  | 'process'
  | 'network'
  | 'dns'
  | 'memory'
  | 'random'
  | 'string'
  | 'dynload'
  | 'tls'
  | 'crypto'
  | 'sql'
  | 'deserialize'
  | 'jndi'
  | 'http'
  | 'code'
  | 'compression'
  | 'thread'
  | 'env'
  | 'package'
  | 'other';

export type ApiUsageRecord = {
  kind: 'api_usage';
  api: string;
  category: Category;
  caller: string;
  subject?: string;
  count: number;
  first_t: number;
  last_t: number;
  tid?: number;
  stack?: number;
  flags?: string[];
};

export type WebApiRecord = {
  kind: 'web_api';
  direction: 'served' | 'called';
  method: string;
  scheme?: 'http' | 'https' | 'http2';
  host?: string;
  route: string;
  status?: number;
  framework?: string;
  count: number;
  first_t: number;
  last_t: number;
  dur_ns?: { min: number; max: number; sum: number };
  caller?: string;
  stack?: number;
};

const MAX_KEYS = 10_000;

/**
 * Entries keyed by a path of strings, as nested maps: no key string is built per call (the
 * parts are usually strings the caller already holds, whose hashes V8 has cached).
 */
class NestedKeys<V> {
  private root = new Map<string, unknown>();
  size = 0;

  get(parts: readonly string[]): V | undefined {
    let node: unknown = this.root;
    for (const part of parts) {
      node = (node as Map<string, unknown>).get(part);
      if (node === undefined) return undefined;
    }
    return node as V;
  }

  set(parts: readonly string[], value: V): void {
    let node = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = node.get(parts[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(parts[i]!, next);
      }
      node = next;
    }
    node.set(parts[parts.length - 1]!, value);
    this.size++;
  }

  clear(): void {
    this.root = new Map();
    this.size = 0;
  }
}

export interface ApiCount {
  api: string;
  category: Category;
  caller: string;
  subject?: string | undefined;
  /** how many calls this observation stands for (sampled-out calls fold in here) */
  count: number;
  t: number;
  tid?: number | undefined;
  stack?: number | undefined;
  flags?: readonly string[] | undefined;
}

export class ApiUsageTable {
  private entries: ApiUsageRecord[] = [];
  private readonly index = new NestedKeys<ApiUsageRecord>();
  dropped = 0;

  add(c: ApiCount): void {
    const key = [c.api, c.caller, c.subject ?? ''];
    let e = this.index.get(key);
    if (e === undefined) {
      if (this.entries.length >= MAX_KEYS) {
        this.dropped += c.count;
        return;
      }
      e = { kind: 'api_usage', api: c.api, category: c.category, caller: c.caller, count: 0, first_t: c.t, last_t: c.t };
      if (c.subject !== undefined) e.subject = c.subject;
      if (c.tid !== undefined) e.tid = c.tid;
      if (c.stack !== undefined) e.stack = c.stack;
      this.entries.push(e);
      this.index.set(key, e);
    }
    e.count += c.count;
    if (c.t > e.last_t) e.last_t = c.t;
    if (c.flags && c.flags.length > 0) {
      const flags = new Set(e.flags ?? []);
      for (const f of c.flags) flags.add(f);
      e.flags = [...flags].sort();
    }
  }

  drain(): ApiUsageRecord[] {
    const out = this.entries;
    this.entries = [];
    this.index.clear();
    return out;
  }
}

const STATUS_TEXT: string[] = [];
/** Status codes as key parts, one string per code. */
function statusText(status: number): string {
  return (STATUS_TEXT[status] ??= String(status));
}

export interface WebCount {
  direction: 'served' | 'called';
  method: string;
  scheme?: 'http' | 'https' | 'http2' | undefined;
  host?: string | undefined;
  route: string;
  status?: number | undefined;
  framework?: string | undefined;
  t: number;
  dur_ns?: number | undefined;
  caller?: string | undefined;
  stack?: number | undefined;
}

export class WebApiTable {
  private entries: WebApiRecord[] = [];
  private readonly index = new NestedKeys<WebApiRecord>();
  dropped = 0;

  add(c: WebCount): void {
    const key = [c.direction, c.method, c.host ?? '', c.route, c.status === undefined ? '' : statusText(c.status)];
    let e = this.index.get(key);
    if (e === undefined) {
      if (this.entries.length >= MAX_KEYS) {
        this.dropped++;
        return;
      }
      e = { kind: 'web_api', direction: c.direction, method: c.method, route: c.route, count: 0, first_t: c.t, last_t: c.t };
      if (c.scheme !== undefined) e.scheme = c.scheme;
      if (c.host !== undefined) e.host = c.host;
      if (c.status !== undefined) e.status = c.status;
      if (c.framework !== undefined) e.framework = c.framework;
      if (c.caller !== undefined) e.caller = c.caller;
      if (c.stack !== undefined) e.stack = c.stack;
      this.entries.push(e);
      this.index.set(key, e);
    }
    e.count++;
    if (c.t > e.last_t) e.last_t = c.t;
    if (c.t < e.first_t) e.first_t = c.t;
    if (c.dur_ns !== undefined) {
      const d = Math.max(0, Math.round(c.dur_ns));
      if (e.dur_ns === undefined) e.dur_ns = { min: d, max: d, sum: d };
      else {
        e.dur_ns.min = Math.min(e.dur_ns.min, d);
        e.dur_ns.max = Math.max(e.dur_ns.max, d);
        e.dur_ns.sum += d;
      }
    }
  }

  drain(): WebApiRecord[] {
    const out = this.entries;
    this.entries = [];
    this.index.clear();
    return out;
  }
}
