// Where the three in-process plugins are, as built by `npm install` in this checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type PluginName = 'native' | 'node' | 'jvm';

export interface PluginArtifact {
  name: PluginName;
  /** what a person calls it in messages */
  title: string;
  path: string;
  present: boolean;
}

// dist/src/launcher/ -> packages/
const PACKAGES_DIR = new URL('../../../../', import.meta.url);

function nodePluginEntry(): string {
  try {
    return fileURLToPath(import.meta.resolve('@apitrace/node-plugin'));
  } catch {
    return fileURLToPath(new URL('node-plugin/dist/src/index.js', PACKAGES_DIR));
  }
}

function artifact(name: PluginName, title: string, path: string): PluginArtifact {
  return { name, title, path, present: existsSync(path) };
}

export function locatePlugins(): Record<PluginName, PluginArtifact> {
  return {
    native: artifact('native', 'native shim', fileURLToPath(new URL('native-shim/build/libapitrace.so', PACKAGES_DIR))),
    node: artifact('node', 'node plugin', nodePluginEntry()),
    jvm: artifact('jvm', 'jvm agent', fileURLToPath(new URL('jvm-agent/target/apitrace.jar', PACKAGES_DIR))),
  };
}
