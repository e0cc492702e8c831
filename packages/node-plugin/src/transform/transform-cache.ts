// On-disk cache of transformed files, keyed by a hash of everything the output depends on:
// the plugin version, the transform's format and options, the file's base name (it is in the
// source map) and its content. Entries are written to a temporary name and renamed, so a
// reader never sees half a file; any failure only means a miss.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where transforms are cached: APITRACE_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, then apitrace/transform. */
export function transformCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['APITRACE_CACHE_DIR'];
  if (explicit) return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'apitrace', 'transform');
}

export class TransformCache {
  private ready = false;
  private disabled = false;

  constructor(readonly dir: string) {}

  static keyOf(parts: readonly string[], content: string): string {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part).update('\0');
    return hash.update(content).digest('hex');
  }

  get(key: string): string | undefined {
    if (this.disabled) return undefined;
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
    if (this.disabled) return;
    try {
      if (!this.ready) {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.ready = true;
      }
      const temporary = join(this.dir, `${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      writeFileSync(temporary, code, { mode: 0o600, flag: 'wx' });
      renameSync(temporary, join(this.dir, `${key}.js`));
    } catch {
      // read-only home, full disk: go on without a cache rather than retrying every file
      this.disabled = true;
    }
  }
}
