// The packages the plugin loads into the application's own threads to hook module loading
// (import-in-the-middle and require-in-the-middle, with what they need). They load after the
// plugin's hooks are in place, so without this they would be probed and recorded as if the
// application had loaded them: cold, babel would even start for them. require-in-the-middle's
// own dependencies (debug, ms) are left out: they load before any hook, and an application
// sharing the plugin's node_modules uses the very same files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** the hook libraries, and whether what they depend on loads after the hooks too */
const HOOK_LIBRARIES = [
  { name: 'import-in-the-middle', withDependencies: true },
  { name: 'require-in-the-middle', withDependencies: false },
];

/** The package directory of `name` as `fromFile` would load it. */
function packageDir(fromFile: string, name: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(fromFile).resolve(name));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name) return dir;
    } catch {
      // no package.json here: a directory inside the package
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Directories (ending in `/`) of the hook libraries and their dependencies, as this plugin loads them. */
export function hookLibraryDirs(pluginFile: string): string[] {
  const dirs = new Set<string>();
  const queue = HOOK_LIBRARIES.map((library) => ({ from: pluginFile, ...library }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const dir = packageDir(next.from, next.name);
    if (dir === undefined || dirs.has(dir)) continue;
    dirs.add(dir);
    if (!next.withDependencies) continue;
    let dependencies: Record<string, string> = {};
    try {
      dependencies = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    } catch {
      // unreadable: its own directory is still excluded
    }
    for (const name of Object.keys(dependencies)) queue.push({ from: join(dir, 'package.json'), name, withDependencies: true });
  }
  return [...dirs].map((dir) => `${dir}/`);
}
