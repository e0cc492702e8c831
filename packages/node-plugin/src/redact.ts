// Argv redaction, exactly as docs/events.md (Redaction) defines it; the C shim and the
// JVM agent implement the same rules and share packages/core/schema/redaction-vectors.json.

const SENSITIVE_WORDS = [
  'pass', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'api-key',
  'auth', 'credential', 'cookie', 'session', 'private',
];
const SECRET_HEADERS = ['authorization:', 'proxy-authorization:', 'cookie:', 'x-api-key:'];
const MASK = '***';

export function isSensitiveWord(word: string): boolean {
  const lower = word.toLowerCase();
  return SENSITIVE_WORDS.some((w) => lower.includes(w));
}

function isKeyChar(c: string): boolean {
  return /^[A-Za-z0-9_.-]$/.test(c);
}

function redactUrlCredentials(s: string): string {
  let out = '';
  let from = 0;
  for (let at = s.indexOf('://', from); at !== -1; at = s.indexOf('://', from)) {
    const authStart = at + 3;
    let authEnd = authStart;
    while (authEnd < s.length && !'/?#'.includes(s[authEnd]!)) authEnd++;
    const authority = s.slice(authStart, authEnd);
    const lastAt = authority.lastIndexOf('@');
    out += s.slice(from, authStart);
    if (lastAt === -1) {
      out += authority;
    } else {
      const userinfo = authority.slice(0, lastAt);
      const colon = userinfo.indexOf(':');
      out += (colon === -1 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`) + authority.slice(lastAt);
    }
    from = authEnd;
  }
  return out + s.slice(from);
}

function redactKeyValues(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq === -1) break;
    let keyStart = eq;
    while (keyStart > 0 && isKeyChar(s[keyStart - 1]!)) keyStart--;
    out += s.slice(i, eq + 1);
    i = eq + 1;
    if (isSensitiveWord(s.slice(keyStart, eq))) {
      let valueEnd = i;
      while (valueEnd < s.length && !'&; '.includes(s[valueEnd]!)) valueEnd++;
      out += MASK;
      i = valueEnd;
    }
  }
  return out + s.slice(i);
}

function redactHeader(s: string): string {
  const trimmed = s.trimStart();
  const lower = trimmed.toLowerCase();
  const header = SECRET_HEADERS.find((h) => lower.startsWith(h));
  if (!header) return s;
  return `${trimmed.slice(0, header.length - 1)}: ${MASK}`;
}

/** Redacts one string recorded as text (an argv element, a command line). */
export function redactText(s: string): string {
  return redactHeader(redactKeyValues(redactUrlCredentials(s)));
}

function isSensitiveBareFlag(arg: string): boolean {
  const m = /^--?([A-Za-z0-9_.-]+)$/.exec(arg);
  return m !== null && isSensitiveWord(m[1]!);
}

export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    out.push(maskNext ? MASK : redactText(arg));
    maskNext = isSensitiveBareFlag(arg);
  }
  return out;
}
