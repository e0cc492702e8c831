// Which npm package owns a file: the nearest package.json above it that has a name. Nested
// package.json files without a name (`{"type":"module"}` in dist/esm) only set the module type
// and are skipped. Results are cached per directory: every stack frame goes through here.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface OwningPackage {
  /** absent when no named package.json owns the file (then root is the file's directory) */
  name?: string;
  version?: string;
  /** the code unit path: the package root directory */
  root: string;
}

const byDir = new Map<string, OwningPackage | null>();

function readNamedPackage(dir: string): OwningPackage | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const json = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (typeof json.name !== 'string' || json.name === '') return null;
    return typeof json.version === 'string' ? { name: json.name, version: json.version, root: dir } : { name: json.name, root: dir };
  } catch {
    return null;
  }
}

function lookup(dir: string): OwningPackage | null {
  const known = byDir.get(dir);
  if (known !== undefined) return known;
  const own = readNamedPackage(dir);
  const parent = dirname(dir);
  const found = own ?? (parent === dir ? null : lookup(parent));
  byDir.set(dir, found);
  return found;
}

/** The package owning an absolute file path, or undefined when none does. */
export function owningPackage(file: string): OwningPackage | undefined {
  if (!file.startsWith('/')) return undefined;
  return lookup(dirname(file)) ?? undefined;
}

/** The code unit of a file: its package root, or its directory when no package owns it. */
export function codeUnitOf(file: string): string {
  if (!file.startsWith('/')) return file;
  let unit = unitByFile.get(file);
  if (unit === undefined) {
    unit = owningPackage(file)?.root ?? dirname(file);
    if (unitByFile.size < 100_000) unitByFile.set(file, unit);
  }
  return unit;
}

const unitByFile = new Map<string, string>();
