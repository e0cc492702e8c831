// The behavioural fingerprint: the canonical, deterministic set of what an application did,
// without counts or times, with run-specific values generalised (path-patterns.ts), so that
// two runs of the same deterministic program give byte-identical fingerprints and a diff
// of two releases shows only behaviour that changed.
import type { AppModel, Component } from '../model/app-model.js';
import { ownActivity, type OwnActivity } from '../own/apitrace-own.js';
import { endpointPattern, pathPattern, tempTemplatePrefix, textPattern, type PatternContext } from './path-patterns.js';

export const FINGERPRINT_FORMAT = 'apitrace-fingerprint';
export const FINGERPRINT_VERSION = 1;

export type FileAccess = 'read' | 'write' | 'metadata';

export interface Fingerprint {
  format: typeof FINGERPRINT_FORMAT;
  v: typeof FINGERPRINT_VERSION;
  /** components whose code was loaded or ran (ref), with their usage state */
  components: Record<string, 'used' | 'loaded'>;
  /** API ids per calling component (ref, or `unknown:<path>`) */
  apis: Record<string, string[]>;
  /** file path patterns and how they were touched */
  files: Record<string, FileAccess[]>;
  network: {
    /** host:port connected to */
    peers: string[];
    /** host:port bound or listened on */
    listening: string[];
    /** names looked up or sent as TLS SNI / Host */
    hosts: string[];
  };
  /** programs executed (each process image's executable) */
  programs: string[];
  /** shell command strings run */
  commands: string[];
  webApis: {
    /** `METHOD /route/template` */
    served: string[];
    /** `METHOD host/route` */
    called: string[];
  };
}

export type FingerprintCategory = 'components' | 'apis' | 'files' | 'network' | 'programs' | 'commands' | 'webApis';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(byString);

/** APIs whose path argument is a template the system completes with random characters. */
const TEMP_TEMPLATE_API = /mkdtemp|mkstemp|mkostemp/i;
const WRITE_API =
  /write|creat|unlink|rename|mkdir|mkdtemp|mkstemp|rmdir|rm\b|rmSync|chmod|chown|truncate|append|copy|symlink|link|utime|Files\.delete|Files\.move/i;
const METADATA_API = /stat|access|exists|readlink|realpath|lchown|faccessat/i;
const WRITE_OFLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;

function fileAccess(api: string, oflags: unknown): FileAccess[] {
  const name = api.slice(api.indexOf(':') + 1);
  if (typeof oflags === 'string') {
    if (/O_RDWR/.test(oflags)) return ['read', 'write'];
    if (WRITE_OFLAGS.test(oflags)) return ['write'];
    return ['read'];
  }
  if (WRITE_API.test(name)) return ['write'];
  if (METADATA_API.test(name)) return ['metadata'];
  return ['read'];
}

export function computeFingerprint(model: AppModel, own: OwnActivity = ownActivity(model)): Fingerprint {
  const context: PatternContext = {
    ...((model.run.manifest?.cwd ?? model.processes[0]?.cwd) ? { cwd: (model.run.manifest?.cwd ?? model.processes[0]?.cwd)! } : {}),
    pids: new Set(model.processes.map((p) => p.pid)),
    tempTemplates: [
      ...new Set(
        model.apiUsages
          .filter((u) => u.category === 'file' && u.subject !== undefined && TEMP_TEMPLATE_API.test(u.api))
          .map((u) => tempTemplatePrefix(u.subject!)),
      ),
    ].sort((a, b) => b.length - a.length),
  };
  const componentsByRef = new Map<string, Component>(model.components.map((c) => [c.ref, c]));
  const isOwnCaller = (ref: string | undefined): boolean => ref !== undefined && own.isOwnComponent(componentsByRef.get(ref));

  const components: Record<string, 'used' | 'loaded'> = {};
  for (const c of model.components) {
    if (c.usage === 'installed' || own.isOwnComponent(c)) continue;
    components[c.ref] = c.usage;
  }

  const apis = new Map<string, Set<string>>();
  const files = new Map<string, Set<FileAccess>>();
  const peers = new Set<string>();
  const listening = new Set<string>();
  const hosts = new Set<string>();
  const commands = new Set<string>();
  const touchFile = (path: string, access: FileAccess[]): void => {
    if (!path.startsWith('/') || own.isOwnPath(path)) return;
    const pattern = pathPattern(path, context);
    const set = files.get(pattern) ?? new Set<FileAccess>();
    access.forEach((a) => set.add(a));
    files.set(pattern, set);
  };
  const network = (args: Record<string, unknown>): void => {
    if (typeof args['peer'] === 'string') peers.add(endpointPattern(args['peer']));
    if (typeof args['local'] === 'string') listening.add(endpointPattern(args['local']));
    if (typeof args['host'] === 'string') hosts.add(endpointPattern(args['host']));
  };

  for (const usage of model.apiUsages) {
    if (isOwnCaller(usage.component)) continue;
    if (usage.category === 'file' && usage.subject !== undefined && own.isOwnPath(usage.subject)) continue;
    const caller = usage.component.startsWith('unknown:') ? `unknown:${pathPattern(usage.component.slice('unknown:'.length), context)}` : usage.component;
    const set = apis.get(caller) ?? new Set<string>();
    set.add(usage.api);
    apis.set(caller, set);
    if (usage.subject === undefined) continue;
    if (usage.category === 'file') touchFile(usage.subject, fileAccess(usage.api, undefined));
  }
  for (const call of model.calls) {
    if (isOwnCaller(call.component)) continue;
    const args = call.args ?? {};
    if (typeof args['path'] === 'string' && (call.category === 'file' || call.category === 'process')) {
      if (call.category === 'file') touchFile(args['path'], fileAccess(call.api, args['oflags']));
    }
    if (typeof args['command'] === 'string') commands.add(textPattern(args['command'], context));
    network(args);
  }
  // Network usages without a kept call: the subject is the peer (or the name looked up).
  for (const usage of model.apiUsages) {
    if (usage.category !== 'network' || usage.subject === undefined || isOwnCaller(usage.component)) continue;
    if (/bind|listen|accept/i.test(usage.api)) listening.add(endpointPattern(usage.subject));
    else if (/:\d+$/.test(usage.subject)) peers.add(endpointPattern(usage.subject));
    else hosts.add(usage.subject);
  }

  const programs = new Set<string>();
  for (const p of model.processes) {
    if (p.lineage === 'fork' || p.lineage === 'thread' || p.exe === undefined) continue;
    programs.add(pathPattern(p.exe, context));
  }

  const served = new Set<string>();
  const called = new Set<string>();
  for (const w of model.webApis) {
    if (w.direction === 'served') served.add(`${w.method} ${w.route}`);
    else called.add(`${w.method} ${w.host ? `${w.scheme ? `${w.scheme}://` : ''}${endpointPattern(w.host)}` : ''}${w.route}`);
  }

  return {
    format: FINGERPRINT_FORMAT,
    v: FINGERPRINT_VERSION,
    components: Object.fromEntries(Object.entries(components).sort(([a], [b]) => byString(a, b))),
    apis: Object.fromEntries([...apis].sort(([a], [b]) => byString(a, b)).map(([k, v]) => [k, sorted(v)])),
    files: Object.fromEntries([...files].sort(([a], [b]) => byString(a, b)).map(([k, v]) => [k, sorted(v) as FileAccess[]])),
    network: { peers: sorted(peers), listening: sorted(listening), hosts: sorted(hosts) },
    programs: sorted(programs),
    commands: sorted(commands),
    webApis: { served: sorted(served), called: sorted(called) },
  };
}

/** The canonical text: keys in the order above, lists sorted, two-space indent, one final newline. */
export function fingerprintJson(fingerprint: Fingerprint): string {
  return `${JSON.stringify(fingerprint, null, 2)}\n`;
}
