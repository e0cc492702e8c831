// apitrace's own code inside the observed processes (the shim, the agent, the node plugin and
// the packages it needs) is not part of the application and is left out of its components.
// The node plugin records the modules it loads itself before the application starts; they are
// recognised by path: inside the plugin, inside a layout's `node/node_modules` (docs/deploy.md),
// or in the plugin's dependency closure as installed here, when loaded before the application.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { owningPackage, readPackageJson } from './npm-packages.js';

const OWN_FILES = /(^|\/)(libapitrace\.so|apitrace\.jar)$/;
const PLUGIN_NAME = '@apitrace/node-plugin';

let closure: { pluginRoot?: string; roots: Set<string> } | undefined;

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

function pluginClosure(): { pluginRoot?: string; roots: Set<string> } {
  if (closure) return closure;
  const roots = new Set<string>();
  let pluginRoot: string | undefined;
  try {
    const entry = realpathSync(createRequire(import.meta.url).resolve(PLUGIN_NAME));
    pluginRoot = owningPackage(entry)?.root;
  } catch {
    pluginRoot = undefined;
  }
  const queue = pluginRoot ? [pluginRoot] : [];
  while (queue.length > 0) {
    const root = queue.shift()!;
    const pkg = readPackageJson(root);
    for (const name of [...(pkg?.dependencies ?? []), ...(pkg?.peers ?? [])]) {
      const dep = resolveNpmDependency(root, name);
      if (dep && !roots.has(dep)) {
        roots.add(dep);
        queue.push(dep);
      }
    }
  }
  closure = { ...(pluginRoot ? { pluginRoot } : {}), roots };
  return closure;
}

/** The shim, the agent, the plugin itself, or a package inside a layout's plugin directory. */
export function isApitraceFile(path: string): boolean {
  if (OWN_FILES.test(path)) return true;
  if (path.includes(`/${PLUGIN_NAME}/`) || path.includes('/packages/node-plugin/')) return true;
  const { pluginRoot } = pluginClosure();
  if (pluginRoot && (path === pluginRoot || path.startsWith(`${pluginRoot}/`))) return true;
  const nm = path.indexOf('/node_modules/');
  // a layout: <layout>/node/node_modules/<pkg>, where <layout>/node is the plugin
  return nm > 0 && readPackageJson(path.slice(0, nm))?.name === PLUGIN_NAME;
}

/** A package root of the plugin's dependencies as installed next to this core. */
export function isPluginDependency(packageRoot: string): boolean {
  return pluginClosure().roots.has(packageRoot);
}
