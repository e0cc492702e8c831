// The one place that decides what is apitrace's own, as opposed to the application's:
//   - code: the shim, the agent, the node plugin and the packages it needs (as installed next
//     to this core, or copied into a container layout), recognised by name and by place;
//   - activity: the run directory the emitters write, and whatever an emitter declared its own
//     in `own_activity` records (the node plugin's transform cache; its helper threads are
//     dropped while reading, model/run-collector.ts).
// The SBOM leaves own code out of the application's components; the fingerprint, the findings
// and the report leave out own code and activity.
import { realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import type { AppModel, Component } from '../model/app-model.js';
import { readPackageJson } from '../components/npm-packages.js';
import { runtimeDependencyClosure } from '../components/node-package-closure.js';
import { ARTIFACT_NAMES, locatePlugins } from './plugin-artifacts.js';

const OWN_FILE_NAMES = new Set<string>([ARTIFACT_NAMES.nativeShim, ARTIFACT_NAMES.jvmAgent]);
const OWN_COMPONENT_NAMES = new Set<string>([ARTIFACT_NAMES.nativeShim, ARTIFACT_NAMES.jvmAgent, ARTIFACT_NAMES.nodePlugin]);
/** the node plugin's default transform cache, for runs whose plugin declared none */
const DEFAULT_TRANSFORM_CACHE = '/apitrace/transform/';

interface Installation {
  /** directories of the plugins built here, each ending in a separator */
  pluginDirs: string[];
  /** root directories of the node plugin's run-time dependencies, as installed here */
  dependencyRoots: Set<string>;
}

let installation: Installation | undefined;

function thisInstallation(): Installation {
  if (installation) return installation;
  const plugins = locatePlugins();
  // dist/src/index.js -> the package root; recorded paths are real, the entry may be a link
  let nodeRoot = dirname(dirname(dirname(plugins.node.path)));
  try {
    nodeRoot = realpathSync(nodeRoot);
  } catch {
    // not built: nothing of it can have been loaded either
  }
  const dependencyRoots = new Set<string>();
  try {
    for (const pkg of runtimeDependencyClosure(nodeRoot)) dependencyRoots.add(pkg.dir);
  } catch {
    // an incomplete installation: the plugins' own files are still recognised
  }
  installation = { pluginDirs: [dirname(plugins.native.path), dirname(plugins.jvm.path), nodeRoot].map((d) => `${d}${sep}`), dependencyRoots };
  return installation;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The shim, the agent, the plugin itself, or a package inside a layout's plugin directory. */
export function isApitraceFile(path: string): boolean {
  if (OWN_FILE_NAMES.has(baseName(path))) return true;
  if (path.includes(`/${ARTIFACT_NAMES.nodePlugin}/`)) return true;
  if (thisInstallation().pluginDirs.some((dir) => path.startsWith(dir))) return true;
  const nm = path.indexOf('/node_modules/');
  // a layout: <layout>/node/node_modules/<pkg>, where <layout>/node is the plugin
  return nm > 0 && readPackageJson(path.slice(0, nm))?.name === ARTIFACT_NAMES.nodePlugin;
}

/** A package root of the node plugin's dependencies as installed next to this core. */
export function isPluginDependency(packageRoot: string): boolean {
  return thisInstallation().dependencyRoots.has(packageRoot);
}

export interface OwnActivity {
  isOwnPath(path: string): boolean;
  isOwnComponent(component: Component | undefined): boolean;
}

const isUnder = (path: string, dir: string): boolean => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** What of this run's model is apitrace's own code and activity. */
export function ownActivity(model: Pick<AppModel, 'run' | 'ownPaths'>): OwnActivity {
  const ownDirs = [model.run.dir.replace(/\/+$/, ''), ...model.ownPaths, ...thisInstallation().dependencyRoots];
  // asked for every file usage of a run: the same paths come again and again
  const answers = new Map<string, boolean>();
  const isOwnPath = (path: string): boolean => {
    let own = answers.get(path);
    if (own === undefined) {
      own = ownDirs.some((dir) => isUnder(path, dir)) || path.includes(DEFAULT_TRANSFORM_CACHE) || isApitraceFile(path);
      answers.set(path, own);
    }
    return own;
  };
  return {
    isOwnPath,
    isOwnComponent: (component) => {
      if (!component) return false;
      const fullName = component.group ? `${component.group}/${component.name}` : component.name;
      if (OWN_COMPONENT_NAMES.has(fullName) || OWN_COMPONENT_NAMES.has(component.name)) return true;
      return component.paths.length > 0 && component.paths.every(isOwnPath);
    },
  };
}
