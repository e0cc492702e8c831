// Whether a directory is a container layout apitrace wrote, and so may be deleted and written
// again by `apitrace layout`. Anything else (a user's directory that merely holds a file named
// layout.json) is left alone. Nothing here follows a symbolic link.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularFile, UntrustedFileError } from '../reader/untrusted-file.js';
import { LAYOUT_FILES } from './container-paths.js';

/** far above any manifest apitrace writes; a larger file is not one */
const MAX_MANIFEST_BYTES = 1 << 20;

/** the type each name of a layout has; a layout holds nothing else */
const LAYOUT_ENTRIES = new Map<string, 'file' | 'directory'>([
  [LAYOUT_FILES.nativeShim, 'file'],
  [LAYOUT_FILES.jvmAgent, 'file'],
  [LAYOUT_FILES.nodePluginDir, 'directory'],
  [LAYOUT_FILES.launcher, 'file'],
  [LAYOUT_FILES.manifest, 'file'],
  [LAYOUT_FILES.dockerfile, 'file'],
]);

const MANIFEST_KEYS = ['format', 'nodeEntry', 'nodePackages', 'v', 'version'];

function readManifestText(path: string): string | undefined {
  try {
    return readRegularFile(path, MAX_MANIFEST_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof UntrustedFileError) return undefined;
    throw err;
  }
}

/** The manifest has exactly the fields writeContainerLayout gives it. */
function isLayoutManifest(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return (
    Object.keys(m).sort().join() === MANIFEST_KEYS.join() &&
    m.format === 'apitrace-layout' &&
    m.v === 1 &&
    typeof m.version === 'string' &&
    typeof m.nodeEntry === 'string' &&
    m.nodeEntry.startsWith(`${LAYOUT_FILES.nodePluginDir}/`) &&
    Array.isArray(m.nodePackages) &&
    m.nodePackages.every((p) => typeof p === 'string')
  );
}

/** Why the existing, non-empty directory `dir` is no layout apitrace wrote; undefined when it is one. */
export function whyNotALayout(dir: string, entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const expected = LAYOUT_ENTRIES.get(entry);
    if (expected === undefined) return `it holds ${entry}`;
    const stats = lstatSync(join(dir, entry));
    if (expected === 'file' ? !stats.isFile() : !stats.isDirectory()) return `its ${entry} is not a ${expected}`;
  }
  if (!entries.includes(LAYOUT_FILES.manifest)) return `it holds no ${LAYOUT_FILES.manifest}`;
  const text = readManifestText(join(dir, LAYOUT_FILES.manifest));
  if (text === undefined || !isLayoutManifest(text)) return `its ${LAYOUT_FILES.manifest} is not one apitrace wrote`;
  return undefined;
}
