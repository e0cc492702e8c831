// The installed-but-never-loaded candidates and the dependency edges between components:
// node_modules under the application roots, package.json dependencies (declared), DT_NEEDED
// of shared objects (dynamic_link; a needed library no process loaded joins as installed).
// Classpath jars nobody loaded arrive as code_unit records with loaded:false (JVM agent).
import type { DependencyEdge } from '../model/app-model.js';
import type { ComponentCatalog } from './component-catalog.js';
import { installedNpmPackages, readPackageJson, resolveNpmDependency } from './npm-packages.js';

export function installedNpmRoots(appRoots: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const root of appRoots) for (const pkg of installedNpmPackages(root)) roots.add(pkg.root);
  return [...roots].sort();
}

export function dependencyEdges(catalog: ComponentCatalog): DependencyEdge[] {
  const edges = new Map<string, DependencyEdge>();
  const add = (from: string, to: string, kind: DependencyEdge['kind']): void => {
    if (from !== to) edges.set(`${from}\0${to}\0${kind}`, { from, to, kind });
  };
  // snapshot: resolving may add components (a needed library, a dependency outside the scan)
  for (const draft of [...catalog.drafts.values()]) {
    for (const root of [...draft.npmRoots].sort()) {
      for (const name of readPackageJson(root)?.dependencies ?? []) {
        const depRoot = resolveNpmDependency(root, name);
        const dep = depRoot ? catalog.addInstalledNpmPackage(depRoot) : undefined;
        if (dep) add(draft.ref, dep.ref, 'declared');
      }
    }
    for (const soname of [...draft.needed].sort()) {
      const dep = catalog.sharedObjectBySoname(soname);
      if (dep) add(draft.ref, dep.ref, 'dynamic_link');
    }
  }
  return [...edges.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.kind < b.kind ? -1 : 1));
}
