// Where apitrace lives inside a container. The same paths serve `docker run` and Kubernetes,
// so a layout, a launcher and a recorded run mean the same thing in both.
import { posix } from 'node:path';
import { ARTIFACT_NAMES } from '../own/plugin-artifacts.js';

/** the root every container mount of apitrace sits under */
export const CONTAINER_ROOT = '/apitrace';
/** the container layout (read-only in the container) */
export const CONTAINER_LAYOUT_DIR = `${CONTAINER_ROOT}/lib`;
/** where recorded runs are written */
export const CONTAINER_RUNS_DIR = `${CONTAINER_ROOT}/runs`;
/** where an apitrace image keeps its layout, for an init container to copy from */
export const IMAGE_LAYOUT_DIR = '/opt/apitrace';

/** File names inside a container layout, relative to its root. */
export const LAYOUT_FILES = {
  nativeShim: ARTIFACT_NAMES.nativeShim,
  jvmAgent: ARTIFACT_NAMES.jvmAgent,
  nodePluginDir: 'node',
  launcher: 'apitrace-exec',
  manifest: 'layout.json',
  dockerfile: 'Dockerfile',
} as const;

export interface LayoutManifest {
  format: 'apitrace-layout';
  v: 1;
  version: string;
  /** the node plugin's `--import` entry, relative to the layout root */
  nodeEntry: string;
  /** npm packages copied beside the node plugin: `name@version` */
  nodePackages: string[];
}

/** The plugin files of a layout rooted at `layoutDir` (a container path or a host path). */
export function layoutPluginPaths(layoutDir: string, nodeEntry: string): { native: string; node: string; jvm: string } {
  return {
    native: posix.join(layoutDir, LAYOUT_FILES.nativeShim),
    node: posix.join(layoutDir, nodeEntry),
    jvm: posix.join(layoutDir, LAYOUT_FILES.jvmAgent),
  };
}
