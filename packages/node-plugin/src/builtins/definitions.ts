// The table of built-in APIs recorded as spans: which module, which object in it, which
// functions, under which API id and category, and how their arguments are summarised.
// Adding an API is adding a name here; install.ts applies the whole table one way.
import type { ApiDefinition } from './api-wrapper.js';
import {
  algorithmFacts,
  connectFacts,
  dgramFacts,
  dlopenFacts,
  dnsFacts,
  execFacts,
  forkFacts,
  fsFacts,
  http2ConnectFacts,
  httpRequestFacts,
  listenFacts,
  spawnFacts,
  workerFacts,
} from './facts.js';
import { isLoaderRead, isLoaderRealpath, noteLoaderRealpath } from './module-loader-calls.js';
import { secretContextFlags } from './summaries.js';

export interface BuiltinPatch {
  /** the built-in module (`fs`), or `global` for globals (Math, process) */
  module: string;
  /** the object in the module holding the functions; default the module's exports */
  target?: (exports: any) => object | undefined;
  /** API id prefix: `node:fs.` + name */
  prefix: string;
  names: readonly string[];
  /** the rest of the definition, per function name */
  define: (name: string) => Omit<ApiDefinition, 'api'>;
}

const FS_PATH_FUNCTIONS = [
  'readFile',
  'writeFile',
  'appendFile',
  'open',
  'readdir',
  'stat',
  'lstat',
  'access',
  'mkdir',
  'rm',
  'rmdir',
  'unlink',
  'rename',
  'copyFile',
  'chmod',
  'chown',
  'realpath',
  'readlink',
  'symlink',
  'link',
  'mkdtemp',
  'truncate',
  'utimes',
  'opendir',
  'cp',
  'exists',
];
const FS_SYNC = FS_PATH_FUNCTIONS.map((n) => `${n}Sync`);
const FS_PROMISES = FS_PATH_FUNCTIONS.filter((n) => n !== 'exists');

const file = (name: string): Omit<ApiDefinition, 'api'> => ({
  category: 'file',
  facts: (args) => fsFacts(args, name),
  ...(name === 'realpathSync' ? { nodesOwnCall: isLoaderRealpath, afterNodesOwnCall: noteLoaderRealpath } : {}),
  ...(name === 'readFileSync' ? { nodesOwnCall: isLoaderRead } : {}),
});

/** The resolver functions of `dns` and `dns.promises`: the same names in both. */
const DNS_FUNCTIONS = [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCname',
  'resolveMx',
  'resolveNs',
  'resolveSrv',
  'resolveTxt',
  'reverse',
];

export const BUILTIN_PATCHES: readonly BuiltinPatch[] = [
  { module: 'fs', prefix: 'node:fs.', names: [...FS_SYNC, ...FS_PATH_FUNCTIONS], define: file },
  { module: 'fs', prefix: 'node:fs.', names: ['createReadStream', 'createWriteStream'], define: (n) => ({ ...file(n), completion: 'return', async: true }) },
  { module: 'fs', target: (fs) => fs.promises, prefix: 'node:fs.promises.', names: FS_PROMISES, define: file },

  {
    module: 'child_process',
    prefix: 'node:child_process.',
    names: ['spawn', 'spawnSync', 'execFile', 'execFileSync'],
    define: (n) => ({ category: 'process', facts: spawnFacts, completion: n === 'spawn' ? 'return' : 'auto' }),
  },
  { module: 'child_process', prefix: 'node:child_process.', names: ['exec', 'execSync'], define: () => ({ category: 'process', facts: execFacts }) },
  { module: 'child_process', prefix: 'node:child_process.', names: ['fork'], define: () => ({ category: 'process', facts: forkFacts, completion: 'return' }) },

  {
    module: 'net',
    prefix: 'node:net.',
    names: ['connect', 'createConnection'],
    define: () => ({ category: 'network', facts: (a) => connectFacts(a, false), completion: 'return', async: true }),
  },
  {
    module: 'net',
    target: (net) => net.Server?.prototype,
    prefix: 'node:net.Server.',
    names: ['listen'],
    define: () => ({ category: 'network', facts: listenFacts, completion: 'return', async: true }),
  },
  {
    module: 'tls',
    prefix: 'node:tls.',
    names: ['connect'],
    define: () => ({ category: 'tls', facts: (a) => connectFacts(a, true), completion: 'return', async: true }),
  },
  { module: 'dgram', prefix: 'node:dgram.', names: ['createSocket'], define: () => ({ category: 'network', completion: 'return' }) },
  {
    module: 'dgram',
    target: (d) => d.Socket?.prototype,
    prefix: 'node:dgram.Socket.',
    names: ['send', 'connect', 'bind'],
    define: () => ({ category: 'network', facts: dgramFacts, completion: 'return', async: true }),
  },

  {
    module: 'dns',
    prefix: 'node:dns.',
    names: DNS_FUNCTIONS,
    define: () => ({ category: 'dns', facts: dnsFacts }),
  },
  {
    module: 'dns',
    target: (dns) => dns.promises,
    prefix: 'node:dns.promises.',
    names: DNS_FUNCTIONS,
    define: () => ({ category: 'dns', facts: dnsFacts }),
  },

  {
    module: 'http',
    prefix: 'node:http.',
    names: ['request', 'get'],
    define: () => ({ category: 'http', facts: (a) => httpRequestFacts(a, 'http:'), completion: 'return', async: true }),
  },
  {
    module: 'https',
    prefix: 'node:https.',
    names: ['request', 'get'],
    define: () => ({ category: 'http', facts: (a) => httpRequestFacts(a, 'https:'), completion: 'return', async: true }),
  },
  { module: 'http', prefix: 'node:http.', names: ['createServer'], define: () => ({ category: 'http', completion: 'return' }) },
  { module: 'https', prefix: 'node:https.', names: ['createServer'], define: () => ({ category: 'http', completion: 'return' }) },
  {
    module: 'http2',
    prefix: 'node:http2.',
    names: ['connect'],
    define: () => ({ category: 'http', facts: http2ConnectFacts, completion: 'return', async: true }),
  },
  { module: 'http2', prefix: 'node:http2.', names: ['createServer', 'createSecureServer'], define: () => ({ category: 'http', completion: 'return' }) },

  {
    module: 'crypto',
    prefix: 'node:crypto.',
    names: ['createHash', 'createHmac', 'createSign', 'createVerify', 'hash'],
    define: () => ({ category: 'crypto', facts: (a) => algorithmFacts(a, 0), inspect: secretContextFlags }),
  },
  {
    module: 'crypto',
    prefix: 'node:crypto.',
    names: ['createCipheriv', 'createDecipheriv'],
    define: () => ({ category: 'crypto', facts: (a) => algorithmFacts(a, 0), inspect: secretContextFlags }),
  },
  {
    module: 'crypto',
    prefix: 'node:crypto.',
    names: ['pbkdf2', 'pbkdf2Sync'],
    define: () => ({ category: 'crypto', facts: (a) => algorithmFacts(a, 4), inspect: secretContextFlags }),
  },
  {
    module: 'crypto',
    prefix: 'node:crypto.',
    names: [
      'scrypt',
      'scryptSync',
      'hkdf',
      'hkdfSync',
      'generateKeyPair',
      'generateKeyPairSync',
      'generateKey',
      'generateKeySync',
      'publicEncrypt',
      'privateDecrypt',
      'privateEncrypt',
      'publicDecrypt',
      'sign',
      'verify',
    ],
    define: (n) => ({
      category: 'crypto',
      facts: n.startsWith('generateKey') || n.startsWith('hkdf') ? (a) => algorithmFacts(a, 0) : undefined,
      inspect: secretContextFlags,
    }),
  },
  {
    module: 'crypto',
    prefix: 'node:crypto.',
    names: ['randomBytes', 'randomFill', 'randomFillSync', 'randomInt', 'randomUUID'],
    define: () => ({ category: 'random', inspect: secretContextFlags }),
  },
  {
    module: 'global',
    target: () => Math,
    prefix: 'node:Math.',
    names: ['random'],
    define: () => ({ category: 'random', facts: () => ({ flags: ['weak_random'] }), inspect: secretContextFlags }),
  },

  { module: 'vm', prefix: 'node:vm.', names: ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction'], define: () => ({ category: 'code' }) },
  {
    module: 'vm',
    target: (vm) => vm.Script?.prototype,
    prefix: 'node:vm.Script.',
    names: ['runInThisContext', 'runInNewContext', 'runInContext'],
    define: () => ({ category: 'code' }),
  },
  { module: 'global', target: () => process, prefix: 'node:process.', names: ['dlopen'], define: () => ({ category: 'dynload', facts: dlopenFacts }) },

  {
    module: 'zlib',
    prefix: 'node:zlib.',
    names: [
      'deflateSync',
      'inflateSync',
      'deflateRawSync',
      'inflateRawSync',
      'gzipSync',
      'gunzipSync',
      'unzipSync',
      'brotliCompressSync',
      'brotliDecompressSync',
      'deflate',
      'inflate',
      'deflateRaw',
      'inflateRaw',
      'gzip',
      'gunzip',
      'unzip',
      'brotliCompress',
      'brotliDecompress',
    ],
    define: () => ({ category: 'compression' }),
  },
  {
    module: 'zlib',
    prefix: 'node:zlib.',
    names: ['createGzip', 'createGunzip', 'createDeflate', 'createInflate', 'createBrotliCompress', 'createBrotliDecompress', 'createUnzip'],
    define: () => ({ category: 'compression', completion: 'return', async: true }),
  },
];

/** Constructors recorded through a Proxy (new, instanceof, statics and subclassing keep working). */
export const BUILTIN_CLASSES: readonly { module: string; name: string; api: string; define: () => Omit<ApiDefinition, 'api'> }[] = [
  { module: 'worker_threads', name: 'Worker', api: 'node:worker_threads.Worker', define: () => ({ category: 'thread', facts: workerFacts, async: true }) },
];

/** What is deliberately left alone, reported once per file as a notice. */
export const NOT_INSTRUMENTED: readonly { subject: string; why: string }[] = [
  { subject: 'eval', why: 'replacing the global eval would turn direct eval into indirect eval (other scope)' },
  { subject: 'Function', why: 'replacing the Function constructor would break Function.prototype identity and instanceof' },
];
