// sha256 of a file on disk, for components no package manager identifies.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const cache = new Map<string, string | null>();

export function sha256OfFile(path: string): string | undefined {
  const cached = cache.get(path);
  if (cached !== undefined) return cached ?? undefined;
  let digest: string | null = null;
  try {
    digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    digest = null;
  }
  cache.set(path, digest);
  return digest ?? undefined;
}
