// Paths as route templates: the query and fragment are never kept, and segments that look like
// identifiers (numbers, UUIDs, long hex or token-like strings, and every path token of the
// redaction rules) become `:id`, so /users/42 and /users/43 are one route and no id, token or
// secret in a path reaches the event file.
import { isPathToken } from '../redact.js';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{16,}$/i;
const TOKEN = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-.~=]{20,}$/;

export function templatePath(rawPath: string): string {
  const path = rawPath.split(/[?#]/, 1)[0] ?? '';
  if (path === '' || path === '*') return path === '' ? '/' : path;
  return path
    .split('/')
    .map((segment) => (NUMBER.test(segment) || UUID.test(segment) || HEX.test(segment) || TOKEN.test(segment) || isPathToken(segment) ? ':id' : segment))
    .join('/');
}

/** The path part of a request target (origin-form or absolute-form), without the query. */
export function pathOfTarget(target: string): string {
  if (target.startsWith('/')) return target.split(/[?#]/, 1)[0]!;
  try {
    return new URL(target).pathname;
  } catch {
    return target.split(/[?#]/, 1)[0]!;
  }
}
