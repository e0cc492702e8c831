// Turns code units and runtimes into components with an identity: npm packages from the
// package.json that owns them; Maven artifacts from pom.properties, else their path in a
// Maven repository, else their manifest, and class directories from their module's pom.xml;
// shared objects from the Debian package that owns them (dpkg database); else generic with
// sha256. The runtimes (node, the JVM, libc) are components too. Several files of one
// package are one component.
import { basename, dirname, join } from 'node:path';
import { existsSync, realpathSync } from 'node:fs';
import type { Component, ComponentKind } from '../model/app-model.js';
import { distroId, DpkgDatabase, type DebianPackage } from './dpkg-database.js';
import { sha256OfFile } from './file-hash.js';
import { identityFromManifest, type JarManifest } from './jar-manifest.js';
import { moduleOfClassDirectory } from './maven-module.js';
import { artifactFromRepositoryPath } from './maven-repository-layout.js';
import { isUnderNodeModules, owningPackage, readPackageJson } from './npm-packages.js';
import { debianPurl, genericPurl, mavenPurl, npmPurl } from './purl.js';

/** What the code_unit records of a run say about one path, merged over processes. */
export interface CodeUnitFacts {
  path: string;
  unit: 'shared_object' | 'module' | 'code_source';
  /** loaded in at least one process (a `loaded: false` scan alone leaves it false) */
  loaded: boolean;
  loads: number;
  firstT?: number;
  lastT?: number;
  needed?: string[];
  soname?: string;
  sha256?: string;
  package?: { name: string; version?: string; root: string };
  maven?: { group: string; artifact: string; version: string }[];
  manifest?: JarManifest;
  /** event files it was seen in */
  files: Set<string>;
}

/** A component while the model is being built: the public shape plus what is still collected. */
export interface ComponentDraft extends Omit<Component, 'paths' | 'processes'> {
  paths: Set<string>;
  files: Set<string>;
  /** npm: package roots, for declared dependency edges */
  npmRoots: Set<string>;
  /** shared objects: their DT_NEEDED sonames */
  needed: Set<string>;
  sonames: Set<string>;
  loadedSeen: boolean;
  /** some code of it ran */
  used?: boolean;
  /** its earliest observed use, with the stack of it */
  firstUse?: { t: number; stack?: import('../model/app-model.js').MergedStack };
}

export interface CatalogOptions {
  dpkgRoot?: string;
  hashFiles?: boolean;
  /** paths that are no component (apitrace's own code) */
  ignore?: (path: string) => boolean;
  /** components made at most (the runtimes always are): every path of a run can name one */
  maxComponents?: number;
}

function realLocation(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib', '/lib', '/usr/local/lib', '/usr/lib64', '/lib64'];

export class ComponentCatalog {
  readonly drafts = new Map<string, ComponentDraft>();
  private readonly refOfPath = new Map<string, string | null>();
  private readonly dpkg: DpkgDatabase;
  private readonly distro: string;
  private readonly hashFiles: boolean;
  private readonly ignore: (path: string) => boolean;
  private readonly maxComponents: number;
  /** components not made past maxComponents: their paths name none */
  componentsNotKept = 0;

  constructor(options: CatalogOptions = {}) {
    this.ignore = options.ignore ?? (() => false);
    this.maxComponents = options.maxComponents ?? Infinity;
    this.dpkg = new DpkgDatabase(options.dpkgRoot);
    this.distro = distroId(options.dpkgRoot ? join(options.dpkgRoot, 'os-release') : undefined);
    this.hashFiles = options.hashFiles ?? true;
  }

  draft(ref: string): ComponentDraft | undefined {
    return this.drafts.get(ref);
  }

  /** Finds or creates the component a code unit belongs to (none past maxComponents). */
  addCodeUnit(unit: CodeUnitFacts): ComponentDraft | undefined {
    const draft = this.identify(unit.path, unit.unit, unit);
    if (!draft) {
      this.refOfPath.set(unit.path, null);
      return undefined;
    }
    draft.paths.add(unit.path);
    for (const f of unit.files) draft.files.add(f);
    if (unit.loaded) {
      draft.loadedSeen = true;
      draft.counts.loads += unit.loads;
    }
    if (unit.firstT !== undefined && unit.loaded) draft.firstSeen = Math.min(draft.firstSeen ?? Infinity, unit.firstT);
    if (unit.lastT !== undefined && unit.loaded) draft.lastSeen = Math.max(draft.lastSeen ?? -Infinity, unit.lastT);
    unit.needed?.forEach((n) => draft.needed.add(n));
    if (unit.soname) draft.sonames.add(unit.soname);
    if (unit.unit === 'shared_object') draft.sonames.add(basename(unit.path));
    if (unit.package?.root) draft.npmRoots.add(unit.package.root);
    this.refOfPath.set(unit.path, draft.ref);
    if (unit.package?.root) this.refOfPath.set(unit.package.root, draft.ref);
    return draft;
  }

  /**
   * The component of a path named as a caller or frame unit (shared object, package root,
   * code source, module file); created when it is a file we can identify, else undefined.
   */
  componentOfPath(path: string): ComponentDraft | undefined {
    const known = this.refOfPath.get(path);
    if (known !== undefined) return known === null ? undefined : this.drafts.get(known);
    let draft: ComponentDraft | undefined;
    if (path.startsWith('/') && !this.ignore(path) && !this.ignore(owningPackage(path)?.root ?? path)) {
      if (/\.(jar|war|zip)$/.test(path) || (isUnderNodeModules(path) === false && path.includes('/classes'))) {
        draft = this.identify(path, 'code_source');
      } else if (/\.so(\.|$)/.test(path) || path.startsWith('/usr/') || path.startsWith('/lib') || path.startsWith('/bin') || path.startsWith('/sbin')) {
        draft = this.identify(path, 'shared_object');
      } else if (owningPackage(path)) {
        draft = this.identify(path, 'module');
      }
    }
    if (draft) draft.paths.add(path);
    this.refOfPath.set(path, draft ? draft.ref : null);
    return draft;
  }

  /** An installed npm package found on disk (node_modules scan). */
  addInstalledNpmPackage(root: string): ComponentDraft | undefined {
    const known = this.refOfPath.get(root);
    if (known) return this.drafts.get(known);
    const pkg = readPackageJson(root);
    if (!pkg?.name) return undefined;
    const draft = this.identify(root, 'module', { package: { name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}), root } });
    if (!draft) return undefined;
    draft.npmRoots.add(root);
    draft.paths.add(root);
    this.refOfPath.set(root, draft.ref);
    return draft;
  }

  /** A shared object named by soname in a DT_NEEDED list: its file in the usual library directories. */
  sharedObjectBySoname(soname: string): ComponentDraft | undefined {
    for (const draft of this.drafts.values()) if (draft.sonames.has(soname)) return draft;
    for (const dir of LIBRARY_DIRS) {
      const path = join(dir, soname);
      if (existsSync(path)) {
        const draft = this.componentOfPath(path);
        draft?.sonames.add(soname);
        return draft;
      }
    }
    return undefined;
  }

  /** A runtime (node, the JVM, glibc): the package owning its executable or library when known. */
  addRuntime(name: string, version: string, exe: string | undefined, libcPath: string | undefined): ComponentDraft {
    let draft: ComponentDraft | undefined;
    const file = name === 'glibc' ? libcPath : exe;
    if (file) draft = this.componentOfPath(file);
    if (!draft) {
      const runtimeName = name === 'glibc' ? 'glibc' : name;
      draft = this.ensure(
        `runtime:${runtimeName}@${version}`,
        () => ({
          kind: 'runtime',
          name: runtimeName,
          version,
          purl: genericPurl(runtimeName, version),
          identifiedBy: 'process_start runtime',
        }),
        true,
      )!;
    }
    draft.kind = 'runtime';
    draft.loadedSeen = true;
    return draft;
  }

  private identify(path: string, unit: CodeUnitFacts['unit'], facts: Partial<CodeUnitFacts> = {}): ComponentDraft | undefined {
    if (unit === 'module') return this.identifyNpm(path, facts.package);
    if (unit === 'code_source') return this.identifyJvm(path, facts);
    return this.identifyNative(path, facts.soname, facts.sha256);
  }

  private identifyNpm(path: string, declared: CodeUnitFacts['package']): ComponentDraft | undefined {
    const owner = declared?.root ? readPackageJson(declared.root) : owningPackage(path);
    const root = declared?.root ?? owner?.root ?? dirname(path);
    const name = declared?.name ?? owner?.name ?? basename(root);
    const version = declared?.version ?? owner?.version;
    // a workspace package, a `file:` directory or an `npm link` is a link in node_modules to
    // the application's own source: where it really is decides
    const kind: ComponentKind = isUnderNodeModules(realLocation(root)) ? 'npm' : 'application';
    if (!owner?.name && !declared?.name) {
      // an application directory without a package.json: no npm identity to claim
      const draft = this.ensure(`application:${root}`, () => ({ kind: 'application', name: basename(root), identifiedBy: 'application directory' }));
      if (!draft) return undefined;
      draft.npmRoots.add(root);
      this.refOfPath.set(root, draft.ref);
      return draft;
    }
    const purl = npmPurl(name, version);
    const draft = this.ensure(purl, () => ({
      kind,
      name,
      ...(version ? { version } : {}),
      purl,
      identifiedBy: 'package.json',
      ...(name.startsWith('@') ? { group: name.slice(0, name.indexOf('/')) } : {}),
    }));
    if (!draft) return undefined;
    draft.npmRoots.add(root);
    this.refOfPath.set(root, draft.ref);
    return draft;
  }

  /** The first rule that names the code source wins; docs/sbom.md has the table. */
  private identifyJvm(path: string, facts: Partial<CodeUnitFacts>): ComponentDraft | undefined {
    const { maven, manifest } = facts;
    if (maven && maven.length === 1) {
      const m = maven[0]!;
      const purl = mavenPurl(m.group, m.artifact, m.version);
      return this.ensure(purl, () => ({
        kind: 'maven',
        group: m.group,
        name: m.artifact,
        version: m.version,
        purl,
        identifiedBy: 'pom.properties',
      }));
    }
    if (!/\.(jar|war|zip)$/.test(path)) {
      const module = moduleOfClassDirectory(path);
      if (module) {
        const purl = mavenPurl(module.group, module.artifact, module.version);
        return this.ensure(purl, () => ({
          kind: 'application',
          group: module.group,
          name: module.artifact,
          ...(module.version ? { version: module.version } : {}),
          purl,
          identifiedBy: module.version ? 'pom.xml' : 'pom.xml (version not resolved)',
        }));
      }
      const name = basename(path);
      return this.ensure(`application:${path}`, () => ({ kind: 'application', name, identifiedBy: 'classpath directory' }));
    }
    const inRepository = artifactFromRepositoryPath(path);
    if (inRepository) return this.mavenArtifact(inRepository, 'maven-repository-layout');
    const fromManifest = identityFromManifest(basename(path), manifest);
    if (fromManifest?.maven) return this.mavenArtifact(fromManifest, 'manifest');
    const digest = facts.sha256 ?? (this.hashFiles ? sha256OfFile(path) : undefined);
    const name = fromManifest?.name ?? basename(path).replace(/\.(jar|war|zip)$/, '');
    const version = fromManifest?.version;
    const purl = genericPurl(name, version, digest);
    const identifiedBy = fromManifest
      ? 'manifest version (no groupId) + file hash'
      : maven && maven.length > 1
        ? 'several pom.properties: file hash'
        : 'file hash';
    return this.ensure(purl, () => ({
      kind: 'maven',
      name,
      ...(version ? { version } : {}),
      purl,
      identifiedBy,
      ...(digest ? { hashes: { sha256: digest } } : {}),
    }));
  }

  private mavenArtifact(m: { group: string; artifact: string; version: string; classifier?: string }, identifiedBy: string): ComponentDraft | undefined {
    const purl = mavenPurl(m.group, m.artifact, m.version, m.classifier);
    return this.ensure(purl, () => ({ kind: 'maven', group: m.group, name: m.artifact, version: m.version, purl, identifiedBy }));
  }

  private identifyNative(path: string, soname: string | undefined, sha256: string | undefined): ComponentDraft | undefined {
    const owner: DebianPackage | undefined = this.dpkg.ownerOf(path);
    if (owner) {
      const purl = debianPurl(this.distro, owner.package, owner.version, owner.architecture);
      return this.ensure(purl, () => ({
        kind: 'native',
        name: owner.package,
        version: owner.version,
        purl,
        identifiedBy: 'dpkg',
        debian: { package: owner.package, version: owner.version, architecture: owner.architecture },
      }));
    }
    const digest = sha256 ?? (this.hashFiles ? sha256OfFile(path) : undefined);
    const name = soname ?? basename(path);
    const purl = genericPurl(name, undefined, digest);
    return this.ensure(purl, () => ({
      kind: 'native',
      name,
      purl,
      identifiedBy: soname ? 'soname + file hash' : 'file name + file hash',
      ...(digest ? { hashes: { sha256: digest } } : {}),
    }));
  }

  /** The component of a ref, made when new (unless past maxComponents and not `always`). */
  private ensure(
    ref: string,
    create: () => Pick<Component, 'kind' | 'name' | 'identifiedBy'> & Partial<Omit<Component, 'paths' | 'processes'>>,
    always = false,
  ): ComponentDraft | undefined {
    let draft = this.drafts.get(ref);
    if (!draft) {
      if (this.drafts.size >= this.maxComponents && !always) {
        this.componentsNotKept++;
        return undefined;
      }
      draft = {
        ref,
        usage: 'installed',
        counts: { loads: 0, apiCalls: 0, functionHits: 0 },
        paths: new Set(),
        files: new Set(),
        npmRoots: new Set(),
        needed: new Set(),
        sonames: new Set(),
        loadedSeen: false,
        ...create(),
      };
      this.drafts.set(ref, draft);
    }
    return draft;
  }
}
