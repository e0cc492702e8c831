// npm packages on disk: the package.json that owns a file, and the packages installed under an
// application root's node_modules (the installed-but-never-loaded candidates).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { readRegularFile } from '../reader/untrusted-file.js';

export interface NpmPackageJson {
  root: string;
  name?: string;
  version?: string;
  /** names from dependencies and optionalDependencies (what it needs at run time) */
  dependencies: string[];
  /** peerDependencies: what it requires when the host provides it (debug -> supports-color) */
  peers: string[];
}

const cache = new Map<string, NpmPackageJson | null>();
const MAX_PACKAGE_JSON_BYTES = 16 * 1024 * 1024;

export function readPackageJson(root: string): NpmPackageJson | undefined {
  const cached = cache.get(root);
  if (cached !== undefined) return cached ?? undefined;
  let parsed: NpmPackageJson | undefined;
  try {
    // the root comes from a recorded path: read package.json only if it is a regular file of sane size
    const json = JSON.parse(readRegularFile(join(root, 'package.json'), MAX_PACKAGE_JSON_BYTES, { followLinks: true }).toString('utf8')) as Record<
      string,
      unknown
    >;
    const deps = { ...(json['optionalDependencies'] as object | undefined), ...(json['dependencies'] as object | undefined) };
    parsed = {
      root,
      ...(typeof json['name'] === 'string' ? { name: json['name'] } : {}),
      ...(typeof json['version'] === 'string' ? { version: json['version'] } : {}),
      dependencies: Object.keys(deps).sort(),
      peers: [
        ...new Set([
          ...Object.keys((json['peerDependencies'] as object | undefined) ?? {}),
          ...Object.keys((json['peerDependenciesMeta'] as object | undefined) ?? {}),
        ]),
      ].sort(),
    };
  } catch {
    parsed = undefined;
  }
  cache.set(root, parsed ?? null);
  return parsed;
}

/** The nearest package.json with a name at or above the file's directory. */
export function owningPackage(file: string): NpmPackageJson | undefined {
  // a name like `[eval]-wrapper` or `node:fs` is no file: never resolve it against the cwd
  if (!isAbsolute(file)) return undefined;
  let dir = existsSync(join(file, 'package.json')) ? file : dirname(file);
  for (;;) {
    const pkg = readPackageJson(dir);
    if (pkg?.name) return pkg;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Every package installed under `root/node_modules`, nested node_modules included (npm puts a
 * second version of a package there), scoped packages included. Bounded in depth.
 */
export function installedNpmPackages(root: string, depth = 4): NpmPackageJson[] {
  const found: NpmPackageJson[] = [];
  if (!isAbsolute(root)) return found;
  const visit = (modules: string, level: number): void => {
    let names: string[];
    try {
      names = readdirSync(modules).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const dirs = name.startsWith('@')
        ? (() => {
            try {
              return readdirSync(join(modules, name))
                .sort()
                .map((n) => join(modules, name, n));
            } catch {
              return [];
            }
          })()
        : [join(modules, name)];
      for (const dir of dirs) {
        const pkg = readPackageJson(dir);
        if (!pkg?.name) continue;
        found.push(pkg);
        if (level < depth) visit(join(dir, 'node_modules'), level + 1);
      }
    }
  };
  visit(join(root, 'node_modules'), 1);
  return found;
}

/** The directory of the node_modules a package root sits in, i.e. the root that installed it. */
export function isUnderNodeModules(path: string): boolean {
  return path.split('/').includes('node_modules');
}

/** Node's resolution of a dependency from a package root: node_modules here, then above. */
export function resolveNpmDependency(fromRoot: string, name: string): string | undefined {
  // only from an absolute root: walking up a relative one never reaches `/` (it grows ../..)
  if (!isAbsolute(fromRoot)) return undefined;
  let dir = fromRoot;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (readPackageJson(candidate)?.name) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
