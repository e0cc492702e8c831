// The npm packages a package needs at run time, found the way Node finds them: for every
// name in `dependencies` (and installed optional or peer dependencies), the nearest
// node_modules/<name> walking up from the requiring package's real directory.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface InstalledPackage {
  name: string;
  version: string;
  /** real directory of the installed package */
  dir: string;
  /**
   * where it must sit relative to the requiring package's root for Node to find it the same
   * way again: `node_modules/a` or `node_modules/a/node_modules/b`
   */
  placement: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

function findInstalled(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * `<base>/node_modules/a/node_modules/b` -> `node_modules/a/node_modules/b`, where <base> is the
 * nearest directory at or above the root package that the installed copy sits under: Node walks
 * up through exactly those directories, so the same relative place resolves the same way.
 */
function placementOf(found: string, root: string, name: string): string {
  for (let base = root; ; base = dirname(base)) {
    const prefix = join(base, 'node_modules') + sep;
    if (found.startsWith(prefix)) return relative(base, found).split(sep).join('/');
    if (dirname(base) === base) return `node_modules/${name}`; // linked from elsewhere
  }
}

export class DependencyClosureError extends Error {}

/**
 * Every package `rootDir` needs at run time, each once. Throws when a required dependency is
 * not installed, or when two different installed copies would need the same place.
 */
export function runtimeDependencyClosure(rootDir: string): InstalledPackage[] {
  const root = realpathSync(rootDir);
  const byPlacement = new Map<string, InstalledPackage>();
  const visited = new Set<string>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const pkg = readPackageJson(dir);
    const wanted = new Map<string, boolean>(); // name -> required
    for (const name of Object.keys(pkg.dependencies ?? {})) wanted.set(name, true);
    for (const name of Object.keys(pkg.optionalDependencies ?? {})) wanted.set(name, false);
    for (const name of Object.keys(pkg.peerDependencies ?? {})) {
      // npm installs peers, Node never does: take them when present, as the package would.
      if (!wanted.has(name)) wanted.set(name, false);
    }
    for (const [name, required] of wanted) {
      const found = findInstalled(name, dir);
      if (!found) {
        if (required) throw new DependencyClosureError(`${name}, needed by ${pkg.name ?? dir}, is not installed`);
        continue;
      }
      if (visited.has(found)) continue;
      visited.add(found);
      const placement = placementOf(found, root, name);
      const other = byPlacement.get(placement);
      if (other && other.dir !== found) {
        throw new DependencyClosureError(`two installed copies of ${name} would both go to ${placement}: ${other.dir} and ${found}`);
      }
      const own = readPackageJson(found);
      byPlacement.set(placement, { name, version: own.version ?? '0.0.0', dir: found, placement });
      queue.push(found);
    }
  }
  return [...byPlacement.values()].sort((a, b) => a.placement.localeCompare(b.placement));
}
