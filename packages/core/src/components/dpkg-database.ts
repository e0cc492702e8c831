// Which Debian package owns a file, from the dpkg database (/var/lib/dpkg): `status` for the
// installed packages and their versions, `info/<pkg>[:<arch>].list` for the files of each.
// Multi-Arch packages name their list `pkg:arch.list`. On merged-/usr systems the loader
// reports /lib/... while dpkg lists /usr/lib/... (or the other way round), and a loaded path
// is often a symlink (libz.so.1 -> libz.so.1.2.13): all spellings are tried, the file the
// link resolves to first, since its package shipped the code that ran (libtirpc.so belongs
// to libtirpc-dev, the libtirpc.so.3.0.0 it points to, and a dlopen of it loads, to libtirpc3).
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface DebianPackage {
  package: string;
  /** the full Debian version, epoch included (1:1.2.13.dfsg-1) */
  version: string;
  architecture: string;
  source?: string;
}

const MERGED_USR_DIRS = ['lib', 'lib32', 'lib64', 'libx32', 'bin', 'sbin'];
const INDEXED_PATH = /\.so(\.|$)|\/s?bin\/|\.jar$/;

/** Every spelling of a path under merged /usr (/lib/x <-> /usr/lib/x): the resolved link's first, then the path's as recorded. */
export function pathSpellings(path: string): string[] {
  const spellings = new Set<string>();
  const addWithAlias = (p: string): void => {
    spellings.add(p);
    for (const dir of MERGED_USR_DIRS) {
      if (p.startsWith(`/${dir}/`)) spellings.add(`/usr${p}`);
      else if (p.startsWith(`/usr/${dir}/`)) spellings.add(p.slice(4));
    }
  };
  try {
    addWithAlias(realpathSync(path));
  } catch {
    // a path that no longer exists is looked up as recorded
  }
  addWithAlias(path);
  return [...spellings];
}

function parseStatus(text: string): Map<string, DebianPackage> {
  const installed = new Map<string, DebianPackage>();
  for (const stanza of text.split(/\n\n+/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0 && line[0] !== ' ') fields.set(line.slice(0, colon), line.slice(colon + 2).trim());
    }
    const field = (name: string): string | undefined => fields.get(name);
    const pkg = field('Package');
    const version = field('Version');
    const status = field('Status');
    if (!pkg || !version || !status?.endsWith(' installed')) continue;
    const architecture = field('Architecture') ?? 'all';
    const source = field('Source')?.split(' ')[0];
    const entry: DebianPackage = { package: pkg, version, architecture, ...(source ? { source } : {}) };
    installed.set(`${pkg}:${architecture}`, entry);
    if (!installed.has(pkg) || architecture !== 'all') installed.set(pkg, entry);
  }
  return installed;
}

interface LoadedDatabase {
  /** indexed path -> `pkg[:arch]` */
  owners: Map<string, string>;
  installed: Map<string, DebianPackage>;
}

/** One parse per database and process: `apitrace run` parses it while the command runs. */
const loaded = new Map<string, LoadedDatabase>();

function load(root: string): LoadedDatabase {
  let database = loaded.get(root);
  if (database) return database;
  database = { owners: new Map(), installed: new Map() };
  loaded.set(root, database);
  try {
    database.installed = parseStatus(readFileSync(join(root, 'status'), 'utf8'));
  } catch {
    return database;
  }
  let lists: string[];
  try {
    lists = readdirSync(join(root, 'info')).filter((n) => n.endsWith('.list'));
  } catch {
    return database;
  }
  for (const list of lists.sort()) {
    const key = list.slice(0, -'.list'.length);
    let text: string;
    try {
      text = readFileSync(join(root, 'info', list), 'utf8');
    } catch {
      continue;
    }
    if (!text.includes('.so') && !text.includes('bin/') && !text.includes('.jar')) continue;
    for (const line of text.split('\n')) {
      // Only code is ever looked up (shared objects, executables, jars): indexing just those
      // keeps the map at a few thousand entries instead of every file on the system.
      if (!INDEXED_PATH.test(line) || database.owners.has(line)) continue;
      database.owners.set(line, key);
    }
  }
  return database;
}

const DEFAULT_ROOT = '/var/lib/dpkg';

/** Parses the database now, so that the first lookup does not wait for it. */
export function preloadDpkgDatabase(root = DEFAULT_ROOT): void {
  load(root);
}

export class DpkgDatabase {
  constructor(private readonly root = DEFAULT_ROOT) {}

  /** The installed package that owns the file, or undefined (not from a package, or no dpkg here). */
  ownerOf(path: string): DebianPackage | undefined {
    const { owners, installed } = load(this.root);
    for (const spelling of pathSpellings(path)) {
      const key = owners.get(spelling);
      if (key === undefined) continue;
      const pkg = installed.get(key) ?? installed.get(key.split(':')[0]!);
      if (pkg) return pkg;
    }
    return undefined;
  }
}

/** The purl namespace for Debian-family packages: ID from /etc/os-release (debian, ubuntu). */
export function distroId(osRelease = '/etc/os-release'): string {
  try {
    const id = /^ID=("?)([^"\n]*)\1$/m.exec(readFileSync(osRelease, 'utf8'))?.[2];
    if (id) return id;
  } catch {
    // no os-release: assume Debian, the only family with a dpkg database anyway
  }
  return 'debian';
}
