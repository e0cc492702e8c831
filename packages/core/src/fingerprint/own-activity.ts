// What apitrace itself does inside the observed processes: the plugins load their own code,
// the shim and the plugins write event files into the run directory, the Node plugin keeps a
// transform cache. None of it is the application's behaviour, so the fingerprint and the
// findings leave it out (the SBOM keeps it: it is what was loaded).
import { dirname, sep } from 'node:path';
import type { AppModel, Component } from '../model/app-model.js';
import { locatePlugins } from '../launcher/plugin-artifacts.js';
import { runtimeDependencyClosure } from '../deploy/node-package-closure.js';

export interface OwnActivity {
  isOwnPath(path: string): boolean;
  isOwnComponent(component: Component | undefined): boolean;
}

const OWN_NAMES = new Set(['libapitrace.so', 'apitrace.jar', '@apitrace/node-plugin']);
/** The Node plugin's transform cache: <cache>/apitrace/transform/<hash>.js */
const TRANSFORM_CACHE = '/apitrace/transform/';

let pluginRootsCache: string[] | undefined;

/** Directories holding the plugins of this installation and the Node plugin's dependencies. */
function pluginRoots(): string[] {
  if (pluginRootsCache) return pluginRootsCache;
  const plugins = locatePlugins();
  const roots = [plugins.native.path, plugins.jvm.path];
  // dist/src/index.js -> the package root
  const nodeRoot = dirname(dirname(dirname(plugins.node.path)));
  roots.push(`${nodeRoot}${sep}`);
  try {
    for (const pkg of runtimeDependencyClosure(nodeRoot)) roots.push(`${pkg.dir}${sep}`);
  } catch {
    // an incomplete installation: the plugin's own files are still recognised
  }
  pluginRootsCache = roots;
  return roots;
}

export function ownActivity(model: AppModel): OwnActivity {
  const runDir = model.run.dir.replace(/\/+$/, '');
  const roots = pluginRoots();
  const isOwnPath = (path: string): boolean =>
    path === runDir || path.startsWith(`${runDir}/`) || path.includes(TRANSFORM_CACHE) ||
    roots.some((root) => path === root || path.startsWith(root));
  return {
    isOwnPath,
    isOwnComponent: (component) => {
      if (!component) return false;
      const fullName = component.group ? `${component.group}/${component.name}` : component.name;
      if (OWN_NAMES.has(fullName) || OWN_NAMES.has(component.name)) return true;
      return component.paths.length > 0 && component.paths.every(isOwnPath);
    },
  };
}
