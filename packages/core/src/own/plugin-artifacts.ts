// apitrace's in-process artifacts: what each is called (in this checkout and in a container
// layout alike) and where `npm install` built them here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type PluginName = 'native' | 'node' | 'jvm';

/** File and package names of the artifacts: the same in a build tree and in a layout. */
export const ARTIFACT_NAMES = {
  nativeShim: 'libapitrace.so',
  jvmAgent: 'apitrace.jar',
  nodePlugin: '@apitrace/node-plugin',
} as const;

export interface PluginArtifact {
  name: PluginName;
  /** what a person calls it in messages */
  title: string;
  path: string;
  present: boolean;
}

// dist/src/own/ -> packages/
const PACKAGES_DIR = new URL('../../../../', import.meta.url);

function nodePluginEntry(): string {
  try {
    return fileURLToPath(import.meta.resolve(ARTIFACT_NAMES.nodePlugin));
  } catch {
    return fileURLToPath(new URL('node-plugin/dist/src/index.js', PACKAGES_DIR));
  }
}

function artifact(name: PluginName, title: string, path: string): PluginArtifact {
  return { name, title, path, present: existsSync(path) };
}

export function locatePlugins(): Record<PluginName, PluginArtifact> {
  return {
    native: artifact('native', 'native shim', fileURLToPath(new URL(`native-shim/build/${ARTIFACT_NAMES.nativeShim}`, PACKAGES_DIR))),
    node: artifact('node', 'node plugin', nodePluginEntry()),
    jvm: artifact('jvm', 'jvm agent', fileURLToPath(new URL(`jvm-agent/target/${ARTIFACT_NAMES.jvmAgent}`, PACKAGES_DIR))),
  };
}
