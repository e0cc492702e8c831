// On-disk cache of transformed files, keyed by a hash of everything the output depends on:
// the plugin version, the transform's format and options, the file's base name (it is in the
// source map) and its content. Entries are written to a temporary name and renamed, so a
// reader never sees half a file; any failure only means a miss. A cache that cannot be
// written (read-only home, no home, full disk) is given up after the first failure, said once,
// and entries are kept in memory for the rest of the process instead.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface CacheLocation {
  dir: string;
  /** a directory that must exist already: the cache never creates a home directory */
  within?: string;
}

/** Where transforms are cached: APITRACE_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, then apitrace/transform. */
export function transformCacheLocation(env: NodeJS.ProcessEnv = process.env): CacheLocation {
  const explicit = env['APITRACE_CACHE_DIR'];
  if (explicit) return { dir: resolve(explicit) };
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && xdg.startsWith('/')) return { dir: join(xdg, 'apitrace', 'transform'), within: dirname(xdg) };
  const home = homedir();
  return { dir: join(home, '.cache', 'apitrace', 'transform'), within: home };
}

/** Entries kept in memory once the disk cache is given up: enough for a large application. */
const MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;

export interface TransformCacheEvents {
  /** the first directory the cache had to create (its parents existed): apitrace's own */
  created?(dir: string): void;
  /** the cache cannot be written; called once */
  unusable?(reason: string): void;
}

export class TransformCache {
  private ready = false;
  private disabled = false;
  private readonly memory = new Map<string, string>();
  private memoryBytes = 0;

  readonly dir: string;
  private readonly within: string | undefined;

  constructor(
    location: CacheLocation,
    private readonly events: TransformCacheEvents = {},
  ) {
    this.dir = location.dir;
    this.within = location.within;
  }

  static keyOf(parts: readonly string[], content: string): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.update(content).digest('hex');
  }

  get(key: string): string | undefined {
    if (this.disabled) return this.memory.get(key);
    try {
      return readFileSync(join(this.dir, `${key}.js`), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Why the file with this key could not be transformed, when an earlier run found out. */
  failure(key: string): string | undefined {
    return this.get(`${key}.failed`);
  }

  putFailure(key: string, reason: string): void {
    this.put(`${key}.failed`, reason);
  }

  put(key: string, code: string): void {
    if (this.disabled) {
      if (this.memoryBytes + code.length > MEMORY_LIMIT_BYTES) return;
      this.memory.set(key, code);
      this.memoryBytes += code.length;
      return;
    }
    try {
      if (!this.ready) {
        if (this.within !== undefined && !statSync(this.within).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
        const created = mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        if (created !== undefined) this.events.created?.(created);
        this.ready = true;
      }
      const temporary = join(this.dir, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      writeFileSync(temporary, code, { mode: 0o600, flag: 'wx' });
      renameSync(temporary, join(this.dir, `${key}.js`));
    } catch (err) {
      // read-only home, full disk: go on in memory rather than retrying every file
      this.disabled = true;
      const why = (err as NodeJS.ErrnoException).code ?? String(err);
      this.events.unusable?.(`transform cache ${this.dir} cannot be written (${why}); files are transformed in memory, again in every process`);
      this.put(key, code);
    }
  }
}
