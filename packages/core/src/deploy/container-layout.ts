// `apitrace layout <dir>`: one self-contained directory with the three plugins and a launcher,
// to copy into or mount in any glibc-based image. Written beside the target and renamed into
// place, so a half-written layout is never mounted.
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../base/user-error.js';
import type { PluginArtifact, PluginName } from '../own/plugin-artifacts.js';
import { IMAGE_LAYOUT_DIR, LAYOUT_FILES, type LayoutManifest } from './container-paths.js';
import { whyNotALayout } from './existing-layout.js';
import { launcherScript } from './launcher-script.js';
import { DependencyClosureError, runtimeDependencyClosure } from '../components/node-package-closure.js';

export interface WrittenLayout {
  dir: string;
  manifest: LayoutManifest;
}

function packageRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/** The files a package publishes: package.json plus its `files` list (everything but node_modules without one). */
function copyPublishedFiles(from: string, to: string): void {
  const files = (JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { files?: string[] }).files;
  mkdirSync(to, { recursive: true });
  const entries = files ? ['package.json', ...files] : readdirSync(from).filter((e) => e !== 'node_modules');
  for (const entry of entries) {
    if (!existsSync(join(from, entry))) continue;
    cpSync(join(from, entry), join(to, entry), { recursive: true, dereference: true });
  }
}

function copyInstalledPackage(from: string, to: string): void {
  const ownModules = join(from, 'node_modules');
  cpSync(from, to, { recursive: true, dereference: true, filter: (src) => src !== ownModules && !src.startsWith(ownModules + sep) });
}

const DOCKERFILE = `# An apitrace image: this layout at ${IMAGE_LAYOUT_DIR}. The Kubernetes webhook's init container
# copies it into each injected pod; your own Dockerfiles can COPY --from it.
#   docker build -t apitrace-layout:<version> .
FROM busybox:1.36
COPY . ${IMAGE_LAYOUT_DIR}/
`;

function cannotWrite(target: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOTDIR' ? 'a file stands where a directory is needed' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
  return new UserError(`cannot write the layout to ${target}: ${why}`, 'choose an empty or new directory');
}

/**
 * `dir` may be written when it is missing, empty, or a layout apitrace wrote: the old one is
 * deleted, so anything else there would be lost.
 */
function checkTarget(target: string): void {
  const notALayout = (why: string): UserError => new UserError(`${target} is not an apitrace layout: ${why}`, 'choose an empty or new directory');
  try {
    const existing = lstatSync(target, { throwIfNoEntry: false });
    if (!existing) return;
    if (existing.isSymbolicLink()) throw notALayout('it is a symbolic link');
    if (!existing.isDirectory()) throw new UserError(`cannot write the layout to ${target}: not a directory`, 'choose a new directory');
    const entries = readdirSync(target);
    if (entries.length === 0) return;
    const why = whyNotALayout(target, entries);
    if (why !== undefined) throw notALayout(why);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw cannotWrite(target, err);
  }
}

/** Where a layout keeps the node plugin's `--import` entry, relative to the layout root. */
export function nodeEntryInLayout(pluginEntry: string): string {
  return [LAYOUT_FILES.nodePluginDir, ...relative(packageRootOf(pluginEntry), pluginEntry).split(sep)].join('/');
}

export function writeContainerLayout(dir: string, plugins: Record<PluginName, PluginArtifact>, version: string): WrittenLayout {
  for (const plugin of Object.values(plugins)) {
    if (!plugin.present) throw new UserError(`cannot write the layout: ${plugin.title} not found at ${plugin.path}`, 'npm install builds it');
  }
  const target = resolve(dir);
  checkTarget(target);
  let staging: string;
  try {
    mkdirSync(dirname(target), { recursive: true });
    staging = mkdtempSync(join(dirname(target), `.${basename(target)}.partial-`));
  } catch (err) {
    throw cannotWrite(target, err);
  }
  try {
    copyFileSync(plugins.native.path, join(staging, LAYOUT_FILES.nativeShim));
    chmodSync(join(staging, LAYOUT_FILES.nativeShim), 0o755);
    copyFileSync(plugins.jvm.path, join(staging, LAYOUT_FILES.jvmAgent));
    chmodSync(join(staging, LAYOUT_FILES.jvmAgent), 0o644);

    const pluginRoot = packageRootOf(plugins.node.path);
    const nodeDir = join(staging, LAYOUT_FILES.nodePluginDir);
    copyPublishedFiles(pluginRoot, nodeDir);
    let closure;
    try {
      closure = runtimeDependencyClosure(pluginRoot);
    } catch (err) {
      if (!(err instanceof DependencyClosureError)) throw err;
      throw new UserError(`cannot write the layout: the node plugin's dependencies: ${err.message}`, 'run npm install');
    }
    for (const pkg of closure) copyInstalledPackage(pkg.dir, join(nodeDir, ...pkg.placement.split('/')));

    const nodeEntry = nodeEntryInLayout(plugins.node.path);
    const manifest: LayoutManifest = {
      format: 'apitrace-layout',
      v: 1,
      version,
      nodeEntry,
      nodePackages: closure.map((p) => `${p.name}@${p.version}`),
    };
    writeFileSync(join(staging, LAYOUT_FILES.launcher), launcherScript(nodeEntry), { mode: 0o755 });
    writeFileSync(join(staging, LAYOUT_FILES.dockerfile), DOCKERFILE);
    writeFileSync(join(staging, LAYOUT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    // Readable by every user of the container: the application may run as any uid.
    chmodSync(staging, 0o755);

    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return { dir: target, manifest };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

export function readLayoutManifest(dir: string): LayoutManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, LAYOUT_FILES.manifest), 'utf8')) as LayoutManifest;
    return manifest.format === 'apitrace-layout' && manifest.v === 1 ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The layout in `dir`, written first when it is missing or older than the plugins built in this
 * checkout (a rebuilt plugin must reach the container). `wrote` says whether it was written now.
 */
export function ensureContainerLayout(dir: string, plugins: Record<PluginName, PluginArtifact>, version: string): WrittenLayout & { wrote: boolean } {
  const target = resolve(dir);
  const manifest = readLayoutManifest(target);
  if (manifest && manifest.version === version) {
    const writtenAt = statSync(join(target, LAYOUT_FILES.manifest)).mtimeMs;
    const stale = Object.values(plugins).some((p) => p.present && statSync(p.path).mtimeMs > writtenAt);
    if (!stale) return { dir: target, manifest, wrote: false };
  }
  return { ...writeContainerLayout(target, plugins, version), wrote: true };
}
