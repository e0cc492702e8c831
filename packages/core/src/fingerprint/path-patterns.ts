// Generalises what varies between two runs of the same program into named patterns, so that a
// fingerprint says "a temporary directory" or "this process's pid" instead of the value seen:
// the working directory, home directories, pids, temporary names, dates, hashes, UUIDs and
// ephemeral ports. Order matters: the longer, more specific facts are replaced first.

export interface PatternContext {
  /** the directory the run was started in (its files are `<cwd>/...`) */
  cwd?: string;
  /** every pid of the run (`<pid>` wherever one appears as a number of its own) */
  pids: ReadonlySet<number>;
  /**
   * The templates the run passed to mkdtemp/mkstemp (their trailing XXXXXX dropped): a path that
   * continues one of them with six or more name characters got them at random, even when they
   * happen to look like a word (`kuihbp`), which the shape alone cannot tell.
   */
  tempTemplates?: readonly string[];
}

/** The prefix a mkdtemp/mkstemp template names (glibc's ends in XXXXXX; Node's is the prefix). */
export function tempTemplatePrefix(template: string): string {
  return template.replace(/X{6,}$/, '');
}

const TEMPLATE_RANDOM = /^[A-Za-z0-9_]{6,12}(?=\/|$)/;

/** The random part a recorded mkdtemp/mkstemp template was given becomes `<random>`. */
function generaliseTemplated(path: string, templates: readonly string[] | undefined): string {
  if (!templates) return path;
  for (const prefix of templates) {
    if (prefix.length < 2 || !path.startsWith(prefix)) continue;
    const m = TEMPLATE_RANDOM.exec(path.slice(prefix.length));
    if (m) return `${prefix}<random>${path.slice(prefix.length + m[0].length)}`;
  }
  return path;
}

/** Linux's default ip_local_port_range: ports the system picks for a bind(0) or a connect. */
const EPHEMERAL_PORT_MIN = 32768;
const EPHEMERAL_PORT_MAX = 60999;

const TEMP_ROOTS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/user/'];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// ISO dates with an optional time part, and compact yyyymmdd[Thhmmss]
const ISO_DATE = /\b(19|20)\d\d-[01]\d-[0-3]\d(?:[T_ ][0-2]\d[:-]?[0-5]\d(?:[:-]?[0-5]\d(?:\.\d+)?)?Z?)?/g;
const COMPACT_DATE = /(?<![0-9])(19|20)\d\d[01]\d[0-3]\d(?:[T_-]?[0-2]\d[0-5]\d[0-5]\d)?(?![0-9])/g;
// Unix times in seconds or milliseconds (2001..2286), as names like cache-1732812345123
const EPOCH = /(?<![0-9])1\d{9}(?:\d{3})?(?![0-9])/g;
const HEX_HASH = /(?<![0-9a-zA-Z])[0-9a-f]{16,}(?![0-9a-zA-Z])|(?<![0-9a-zA-Z])[0-9A-F]{16,}(?![0-9a-zA-Z])/g;
const NUMBER = /(?<![0-9A-Za-z.])\d+(?![0-9A-Za-z])/g;
// The random part mkdtemp/mkstemp (XXXXXX), Node's mkdtemp, Python's tempfile and mktemp(1) add.
const RANDOM_SUFFIX = /^(.*?[._-]|tmp)([A-Za-z0-9_]{6,12})$/;

function looksRandom(part: string): boolean {
  const digits = /\d/.test(part);
  const lower = /[a-z]/.test(part);
  const upper = /[A-Z]/.test(part);
  return (digits && (lower || upper)) || (lower && upper);
}

/** A temporary name's random part becomes `<random>`: /tmp/apitrace-fp-Ab3dEf -> /tmp/apitrace-fp-<random>. */
function generaliseTempSegments(path: string): string {
  const root = TEMP_ROOTS.find((r) => path.startsWith(r));
  if (!root) return path;
  const rest = path
    .slice(root.length)
    .split('/')
    .map((segment) => {
      const m = RANDOM_SUFFIX.exec(segment);
      if (!m || !looksRandom(m[2]!)) return segment;
      return `${m[1]}<random>`;
    });
  return root + rest.join('/');
}

// Small pids (1 in a container) would turn every small number of a path into `<pid>`.
const MIN_GENERALISED_PID = 100;

function replacePids(text: string, pids: ReadonlySet<number>): string {
  return text.replace(NUMBER, (n) => (Number(n) >= MIN_GENERALISED_PID && pids.has(Number(n)) ? '<pid>' : n));
}

/** A file path as a pattern. */
export function pathPattern(path: string, context: PatternContext): string {
  let p = generaliseTemplated(path, context.tempTemplates);
  const cwd = context.cwd?.replace(/\/+$/, '');
  if (cwd && cwd !== '' && (p === cwd || p.startsWith(`${cwd}/`))) p = `<cwd>${p.slice(cwd.length)}`;
  else p = p.replace(/^\/root(?=\/|$)/, '~').replace(/^\/home\/[^/]+(?=\/|$)/, '~');
  p = p.replace(/^\/proc\/\d+(?=\/|$)/, '/proc/<pid>').replace(/^\/proc\/(self|<pid>)\/task\/\d+/, '/proc/$1/task/<tid>');
  p = generaliseTempSegments(p);
  p = p.replace(UUID, '<uuid>').replace(HEX_HASH, '<hash>').replace(ISO_DATE, '<date>').replace(COMPACT_DATE, '<date>').replace(EPOCH, '<time>');
  return replacePids(p, context.pids);
}

/** `host:port` with a port the system picked becoming `<ephemeral>`. */
export function endpointPattern(endpoint: string): string {
  const m = /^(.*):(\d+)$/.exec(endpoint);
  if (!m) return endpoint;
  const port = Number(m[2]);
  return port >= EPHEMERAL_PORT_MIN && port <= EPHEMERAL_PORT_MAX ? `${m[1]}:<ephemeral>` : endpoint;
}

/** A command line or URL path: pids, temporary names, hashes and dates as patterns (not the cwd). */
export function textPattern(text: string, context: PatternContext): string {
  // absolute paths anywhere in the text, also quoted or after a redirection (`wc -l < '/srv/x'`), not URLs
  return text.replace(/(?<![\w:/.~-])\/[^\s'"`;|&<>()]+/g, (path) => pathPattern(path, context));
}
