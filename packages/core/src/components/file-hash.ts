// sha256 of a file on disk, for components no package manager identifies. The path comes from
// an event file, so it may name a FIFO or a device: only a regular file is read.
import { createHash } from 'node:crypto';
import { forEachChunk } from '../reader/untrusted-file.js';

const cache = new Map<string, string | null>();

export function sha256OfFile(path: string): string | undefined {
  const cached = cache.get(path);
  if (cached !== undefined) return cached ?? undefined;
  let digest: string | null;
  try {
    const hash = createHash('sha256');
    forEachChunk(path, (chunk) => hash.update(chunk), { followLinks: true });
    digest = hash.digest('hex');
  } catch {
    digest = null;
  }
  cache.set(path, digest);
  return digest ?? undefined;
}
