// Argv redaction, exactly as docs/events.md (Redaction) defines it; the C shim and the
// JVM agent implement the same rules and share packages/core/schema/redaction-vectors.json.

const SENSITIVE_WORDS = ['pass', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'auth', 'credential', 'cookie', 'session', 'private'];
const SECRET_HEADERS = ['authorization:', 'proxy-authorization:', 'cookie:', 'x-api-key:'];
const MASK = '***';

export function isSensitiveWord(word: string): boolean {
  const lower = word.toLowerCase();
  return SENSITIVE_WORDS.some((w) => lower.includes(w));
}

function isKeyChar(c: string): boolean {
  return /^[A-Za-z0-9_.-]$/.test(c);
}

// Rule 5: a secret-looking URL path segment (docs/events.md, Redaction).
const HEX_TOKEN = /^[0-9A-Fa-f]{32,}$/;
const BASE64URL_TOKEN = /^(?=[^0-9]*[0-9])(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9_-]{32,}$/;
const JWT = /^eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,}$/;

/** A path segment that is a token, not a name: long hex, long base64url with a digit, or a JWT. */
export function isPathToken(segment: string): boolean {
  return HEX_TOKEN.test(segment) || BASE64URL_TOKEN.test(segment) || JWT.test(segment);
}

/** Where a URL path starting at `from` ends: a query, fragment, space, quote or the next URL. */
function pathEnd(s: string, from: number): number {
  let end = from;
  while (end < s.length && !' \t\n\v\f\r?#\'"'.includes(s[end]!) && !s.startsWith('://', end)) end++;
  return end;
}

// Rules 1 and 5: credentials in URL authorities, tokens in URL paths.
function redactUrls(s: string): string {
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
    if (s[authEnd] === '/') {
      from = pathEnd(s, authEnd);
      out += s
        .slice(authEnd, from)
        .split('/')
        .map((segment) => (isPathToken(segment) ? MASK : segment))
        .join('/');
    }
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

const ASCII_SPACE = ' \t\n\v\f\r';

/** Rule 3: `Name: ***` when the string is a secret header, else undefined. */
function redactHeader(s: string): string | undefined {
  let start = 0;
  while (start < s.length && ASCII_SPACE.includes(s[start]!)) start++;
  const lower = s.slice(start, start + 24).toLowerCase();
  const header = SECRET_HEADERS.find((h) => lower.startsWith(h));
  return header === undefined ? undefined : `${s.slice(start, start + header.length - 1)}: ${MASK}`;
}

/** What rule 6 carries from word to word, and from one argv element to the next. */
interface MysqlState {
  /** a MySQL client program was named: its -p takes the password glued on */
  afterMysqlProgram: boolean;
}

/** Whether a word names a MySQL or MariaDB client: its last path component starts so. */
function isMysqlProgram(word: string): boolean {
  let name = word.slice(word.lastIndexOf('/') + 1);
  while (name.startsWith("'") || name.startsWith('"')) name = name.slice(1);
  return name.startsWith('mysql') || name.startsWith('mariadb');
}

// Rule 6: after a MySQL client program, `-p` (alone or after other short flags) takes the
// password glued on: -pSECRET, -vpSECRET. Everything after that p, to the next space, is hidden.
const GLUED_PASSWORD = /^(['"]*-[A-Za-oq-z]*p)[^]/;

function redactMysqlPasswords(s: string, state: MysqlState): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    let end = i;
    while (end < s.length && !ASCII_SPACE.includes(s[end]!)) end++;
    const word = s.slice(i, end);
    const glued = state.afterMysqlProgram ? GLUED_PASSWORD.exec(word) : null;
    out += glued !== null ? glued[1] + MASK : word;
    if (isMysqlProgram(word)) state.afterMysqlProgram = true;
    for (i = end; i < s.length && ASCII_SPACE.includes(s[i]!); i++) out += s[i];
  }
  return out;
}

function redactWithState(s: string, state: MysqlState): string {
  return redactHeader(s) ?? redactMysqlPasswords(redactKeyValues(redactUrls(s)), state);
}

/** Redacts one string recorded as text (an argv element, a command line). */
export function redactText(s: string): string {
  return redactWithState(s, { afterMysqlProgram: false });
}

/** Rule 4: `-x` or `--name` without `=`, whose name (whatever its characters) is sensitive. */
function isSensitiveBareFlag(arg: string): boolean {
  if (!arg.startsWith('-') || arg.includes('=')) return false;
  const name = arg.slice(arg.startsWith('--') ? 2 : 1);
  return name !== '' && isSensitiveWord(name);
}

export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  const state: MysqlState = { afterMysqlProgram: false };
  let maskNext = false;
  for (const arg of argv) {
    // -pSECRET after a MySQL program is a password (rule 6), not a flag named "pSECRET"
    const gluedPassword = state.afterMysqlProgram && GLUED_PASSWORD.test(arg);
    out.push(maskNext ? MASK : redactWithState(arg, state));
    maskNext = isSensitiveBareFlag(arg) && !gluedPassword;
  }
  return out;
}
