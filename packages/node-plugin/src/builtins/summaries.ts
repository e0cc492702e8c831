// Argument and result summaries in the contract's vocabulary (docs/events.md, "Argument
// names and flags"). Plain reads of the arguments only; anything odd summarises to nothing.
import { redactText } from '../redact.js';
import { isInternalFile, siteFile } from '../runtime/index.js';

export type Scalar = string | number | boolean | null;

/** A path argument (string, Buffer, file: URL) as text, or undefined. */
export function pathText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof URL) return v.protocol === 'file:' ? decodeURIComponent(v.pathname) : undefined;
  return undefined;
}

export function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** What a returned value looks like, without its content: buffer(7), string(12), array(3). */
export function summariseValue(v: unknown): Scalar | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return `string(${v.length})`;
  if (Buffer.isBuffer(v)) return `buffer(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'function') return 'function';
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'object';
  }
  return undefined;
}

/** result of a failed call: errno (positive, like libc's) and the error code or class. */
export function errorResult(err: unknown): { errno?: number; error?: string } {
  const out: { errno?: number; error?: string } = {};
  if (err !== null && typeof err === 'object') {
    const e = err as { errno?: unknown; code?: unknown; name?: unknown };
    if (typeof e.errno === 'number' && Number.isInteger(e.errno) && e.errno !== 0) out.errno = Math.abs(e.errno);
    if (typeof e.code === 'string') out.error = e.code;
    else if (typeof e.name === 'string') out.error = e.name;
  } else {
    out.error = typeof err;
  }
  return out;
}

/** A URL for the record: credentials and path tokens masked, query and fragment dropped (never stored). */
export function urlText(u: string | URL): string | undefined {
  try {
    const url = typeof u === 'string' ? new URL(u) : u;
    const auth = url.username || url.password ? `${url.username || '***'}${url.password ? ':***' : ''}@` : '';
    return redactText(`${url.protocol}//${auth}${url.host}${url.pathname}`);
  } catch {
    return typeof u === 'string' ? redactText(u.split(/[?#]/)[0]!) : undefined;
  }
}

export function hostPort(host: unknown, port: unknown): string | undefined {
  if (typeof host !== 'string' && typeof port !== 'number' && typeof port !== 'string') return undefined;
  const h = typeof host === 'string' && host !== '' ? host : 'localhost';
  const shown = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return port === undefined || port === null || port === '' ? shown : `${shown}:${String(port)}`;
}

const WEAK_ALGORITHM = /(^|[^a-z0-9])(md4|md5|sha1|sha-1|des|des-ede|des-ede3|rc2|rc4|bf)([^a-z0-9]|$)|-ecb$|^ecb$|(^|-)ecb-/i;

/** MD5, SHA-1, DES, RC4, ECB mode, ...: weak_algorithm. */
export function isWeakAlgorithm(alg: string): boolean {
  return WEAK_ALGORITHM.test(alg) || /^(md5|sha1|md4|rc4|des)/i.test(alg);
}

const SECRET_WORDS = /token|key|passw|secret|salt|nonce|otp|session|credential/i;

/** secret_context: a function on the stack whose name says it makes a secret. */
export function secretContextFlags(sites: readonly NodeJS.CallSite[]): readonly string[] | undefined {
  for (const site of sites) {
    if (isInternalFile(siteFile(site))) continue;
    const name = site.getFunctionName() ?? site.getMethodName();
    if (name && SECRET_WORDS.test(name)) return ['secret_context'];
  }
  return undefined;
}
