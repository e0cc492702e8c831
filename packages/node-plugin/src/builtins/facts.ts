// What the arguments of each family of built-in APIs say: the `facts` functions of the
// definitions table (definitions.ts).
import { redactText } from '../redact.js';
import type { CallFacts } from './api-wrapper.js';
import { hostPort, isWeakAlgorithm, octal, pathText, urlText } from './summaries.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

function modeFacts(mode: unknown, facts: CallFacts): void {
  if (typeof mode !== 'number') return;
  facts.args!['mode'] = octal(mode);
  if (mode & 0o002) (facts.flags ??= []).push('world_writable');
}

const OPEN_FLAGS: Record<string, string> = {
  r: 'O_RDONLY',
  'r+': 'O_RDWR',
  rs: 'O_RDONLY|O_SYNC',
  'rs+': 'O_RDWR|O_SYNC',
  w: 'O_WRONLY|O_CREAT|O_TRUNC',
  wx: 'O_WRONLY|O_CREAT|O_TRUNC|O_EXCL',
  'w+': 'O_RDWR|O_CREAT|O_TRUNC',
  'wx+': 'O_RDWR|O_CREAT|O_TRUNC|O_EXCL',
  a: 'O_WRONLY|O_CREAT|O_APPEND',
  ax: 'O_WRONLY|O_CREAT|O_APPEND|O_EXCL',
  'a+': 'O_RDWR|O_CREAT|O_APPEND',
  'ax+': 'O_RDWR|O_CREAT|O_APPEND|O_EXCL',
  as: 'O_WRONLY|O_CREAT|O_APPEND|O_SYNC',
};

/** fs: the path (or fd) and, where the API takes them, mode and open flags. */
export function fsFacts(args: readonly unknown[], name: string): CallFacts {
  const facts: CallFacts = { args: {} };
  const first = args[0];
  const path = pathText(first);
  if (path !== undefined) {
    facts.args!['path'] = path;
    facts.subject = path;
  } else if (typeof first === 'number') {
    facts.args!['fd'] = first;
  }
  const base = name.replace(/Sync$/, '');
  if (base === 'open') {
    const oflags = typeof args[1] === 'string' ? OPEN_FLAGS[args[1]] : undefined;
    if (oflags) facts.args!['oflags'] = oflags;
    // a mode only matters when the open may create the file
    if (oflags?.includes('O_CREAT')) modeFacts(args[2], facts);
  } else if (base === 'chmod' || base === 'fchmod' || base === 'lchmod') {
    modeFacts(args[1], facts);
  } else if (base === 'mkdir') {
    modeFacts(typeof args[1] === 'number' ? args[1] : isObject(args[1]) ? args[1]['mode'] : undefined, facts);
  } else if (base === 'writeFile' || base === 'appendFile') {
    if (isObject(args[2])) modeFacts(args[2]['mode'], facts);
  }
  return facts;
}

function optionsArg(args: readonly unknown[]): Record<string, unknown> | undefined {
  for (let i = args.length - 1; i >= 1; i--) {
    const a = args[i];
    if (isObject(a) && !Array.isArray(a)) return a;
  }
  return undefined;
}

function argvArg(args: readonly unknown[]): string[] {
  return Array.isArray(args[1]) ? args[1].filter((a): a is string => typeof a === 'string') : [];
}

/** child_process.spawn/execFile/fork and their Sync forms: the program; a shell option makes it a shell command. */
export function spawnFacts(args: readonly unknown[]): CallFacts {
  const program = typeof args[0] === 'string' ? args[0] : pathText(args[0]);
  const facts: CallFacts = { args: {} };
  if (program === undefined) return facts;
  const options = optionsArg(args);
  if (options?.['shell']) {
    facts.args!['program'] = typeof options['shell'] === 'string' ? options['shell'] : '/bin/sh';
    facts.args!['command'] = redactText([program, ...argvArg(args)].join(' '));
    facts.flags = ['shell'];
  } else {
    facts.args!['program'] = program;
    if (typeof options?.['argv0'] === 'string') facts.args!['argv0'] = redactText(options['argv0']);
  }
  facts.subject = facts.args!['program'] as string;
  return facts;
}

/** child_process.fork: a node running a module. */
export function forkFacts(args: readonly unknown[]): CallFacts {
  const module = pathText(args[0]) ?? (typeof args[0] === 'string' ? args[0] : undefined);
  const options = optionsArg(args);
  const program = typeof options?.['execPath'] === 'string' ? options['execPath'] : process.execPath;
  const facts: CallFacts = { args: { program }, subject: program };
  if (module !== undefined) facts.args!['path'] = module;
  return facts;
}

/** child_process.exec/execSync: always a shell command. */
export function execFacts(args: readonly unknown[]): CallFacts {
  const options = optionsArg(args);
  const shell = typeof options?.['shell'] === 'string' ? options['shell'] : '/bin/sh';
  const facts: CallFacts = { args: { program: shell }, subject: shell, flags: ['shell'] };
  if (typeof args[0] === 'string') facts.args!['command'] = redactText(args[0]);
  return facts;
}

/** net.connect/createConnection, tls.connect: the peer (or socket path), TLS verification. */
export function connectFacts(args: readonly unknown[], tls: boolean): CallFacts {
  const facts: CallFacts = { args: {} };
  let host: unknown;
  let port: unknown;
  let options: Record<string, unknown> | undefined;
  if (isObject(args[0])) {
    options = args[0];
    host = options['host'];
    port = options['port'];
    if (typeof options['path'] === 'string') facts.args!['path'] = options['path'];
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    port = args[0];
    host = typeof args[1] === 'string' ? args[1] : undefined;
    if (isObject(args[1])) options = args[1];
    else if (isObject(args[2])) options = args[2];
  } else if (typeof args[0] === 'string') {
    facts.args!['path'] = args[0];
  }
  if (facts.args!['path'] === undefined) {
    const peer = hostPort(host, port);
    if (peer !== undefined) facts.args!['peer'] = peer;
    facts.args!['host'] = typeof options?.['servername'] === 'string' ? options['servername'] : typeof host === 'string' ? host : 'localhost';
  }
  if (tls && options?.['rejectUnauthorized'] === false) facts.flags = ['verify_none'];
  facts.subject = (facts.args!['peer'] ?? facts.args!['path']) as string | undefined;
  return facts;
}

/** net.Server.listen: where it listens. */
export function listenFacts(args: readonly unknown[]): CallFacts {
  const facts: CallFacts = { args: {} };
  const a = args[0];
  if (isObject(a)) {
    if (typeof a['path'] === 'string') facts.args!['path'] = a['path'];
    else facts.args!['local'] = hostPort(typeof a['host'] === 'string' ? a['host'] : '::', a['port'] ?? 0)!;
  } else if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
    facts.args!['local'] = hostPort(typeof args[1] === 'string' ? args[1] : '::', a)!;
  } else if (typeof a === 'string') {
    facts.args!['path'] = a;
  }
  facts.subject = (facts.args!['local'] ?? facts.args!['path']) as string | undefined;
  return facts;
}

/** dgram Socket.send/connect: the peer, when given as (…, port, address). */
export function dgramFacts(args: readonly unknown[]): CallFacts {
  const facts: CallFacts = { args: {} };
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] === 'number' && (typeof args[i + 1] === 'string' || i === args.length - 1 || typeof args[i + 1] === 'function')) {
      const port = args[i] as number;
      if (port > 0 && port < 65536 && (i > 0 || args.length <= 3)) {
        facts.args!['peer'] = hostPort(typeof args[i + 1] === 'string' ? args[i + 1] : 'localhost', port)!;
        facts.subject = facts.args!['peer'] as string;
        break;
      }
    }
  }
  return facts;
}

/** dns: the name looked up (or the address reversed). */
export function dnsFacts(args: readonly unknown[]): CallFacts {
  return typeof args[0] === 'string' ? { args: { host: args[0] }, subject: args[0] } : { args: {} };
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$/i;

/** http(s).request/get: method, url (no query), peer; plain_http and verify_none. */
export function httpRequestFacts(args: readonly unknown[], defaultProtocol: 'http:' | 'https:'): CallFacts {
  let url: URL | undefined;
  let options: Record<string, unknown> = {};
  let i = 0;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    try {
      url = new URL(String(args[0]));
    } catch {
      url = undefined;
    }
    i = 1;
  }
  if (isObject(args[i]) && typeof args[i] !== 'function') options = args[i] as Record<string, unknown>;
  const protocol = (typeof options['protocol'] === 'string' ? options['protocol'] : url?.protocol) ?? defaultProtocol;
  const host =
    (typeof options['hostname'] === 'string' ? options['hostname'] : typeof options['host'] === 'string' ? options['host'] : url?.hostname) ?? 'localhost';
  const port = options['port'] ?? (url?.port ? url.port : protocol === 'https:' ? 443 : 80);
  const path = typeof options['path'] === 'string' ? options['path'] : url ? url.pathname : '/';
  const method = typeof options['method'] === 'string' ? options['method'].toUpperCase() : 'GET';
  const peer = hostPort(host, port)!;
  const facts: CallFacts = {
    args: { method, url: urlText(`${protocol}//${peer}${path}`) ?? `${protocol}//${peer}`, host, peer },
    subject: peer,
  };
  const flags: string[] = [];
  const headers = isObject(options['headers']) ? Object.keys(options['headers']) : [];
  const hasCredentials = headers.some((h) => SECRET_HEADER.test(h)) || typeof options['auth'] === 'string' || Boolean(url?.username || url?.password);
  if (protocol === 'http:' && hasCredentials) flags.push('plain_http');
  const agent = options['agent'];
  const agentOptions = isObject(agent) && isObject(agent['options']) ? agent['options'] : undefined;
  if (protocol === 'https:' && (options['rejectUnauthorized'] === false || agentOptions?.['rejectUnauthorized'] === false)) flags.push('verify_none');
  if (flags.length > 0) facts.flags = flags;
  return facts;
}

/** http2.connect(authority): the peer. */
export function http2ConnectFacts(args: readonly unknown[]): CallFacts {
  const a = args[0];
  const text = typeof a === 'string' ? a : a instanceof URL ? a.href : undefined;
  if (text === undefined) return { args: {} };
  try {
    const u = new URL(text);
    const peer = hostPort(u.hostname, u.port || (u.protocol === 'https:' ? 443 : 80))!;
    return { args: { url: urlText(u) ?? '', host: u.hostname, peer }, subject: peer };
  } catch {
    return { args: {} };
  }
}

/** crypto.createHash/createCipheriv/...: the algorithm (at `at`) and whether it is weak. */
export function algorithmFacts(args: readonly unknown[], at = 0): CallFacts {
  const alg = args[at];
  if (typeof alg !== 'string') return { args: {} };
  const facts: CallFacts = { args: { algorithm: alg.toLowerCase() }, subject: alg.toLowerCase() };
  if (isWeakAlgorithm(alg)) facts.flags = ['weak_algorithm'];
  return facts;
}

/** process.dlopen(module, filename): the native addon. */
export function dlopenFacts(args: readonly unknown[]): CallFacts {
  const library = typeof args[1] === 'string' ? args[1] : undefined;
  return library === undefined ? { args: {} } : { args: { library }, subject: library };
}

/** new Worker(filename | URL | code, {eval}): what the worker runs. */
export function workerFacts(args: readonly unknown[]): CallFacts {
  const options = isObject(args[1]) ? args[1] : undefined;
  if (options?.['eval']) return { args: { path: '[eval]' }, subject: '[eval]' };
  const path = pathText(args[0]) ?? (args[0] instanceof URL ? args[0].href : undefined);
  return path === undefined ? { args: {} } : { args: { path }, subject: path };
}
