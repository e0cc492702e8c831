// The variables that inject apitrace into a container, composed by the same rules as
// `apitrace run` (launcher/plugin-environment.ts) but with the layout's container paths.
import type { PluginArtifact, PluginName } from '../own/plugin-artifacts.js';
import { injectPlugins } from '../launcher/plugin-environment.js';
import { layoutPluginPaths } from './container-paths.js';

/** the variables apitrace sets in a container, in the order they are printed */
export const INJECTED_VARIABLES = ['APITRACE_DIR', 'LD_PRELOAD', 'NODE_OPTIONS', 'JAVA_TOOL_OPTIONS'] as const;
export type InjectedVariable = (typeof INJECTED_VARIABLES)[number];

export interface ContainerInjection {
  layoutDir: string;
  /** the node plugin's entry relative to the layout (layout.json `nodeEntry`) */
  nodeEntry: string;
  runDir: string;
  enabled: Record<PluginName, boolean>;
}

export interface ContainerEnvironment {
  /** the injected variables with their final values (the existing values kept) */
  env: Partial<Record<InjectedVariable, string>>;
  notes: string[];
}

/**
 * `existing` holds what the container would otherwise have in these variables (from its image
 * or its own settings); the result keeps those values and adds apitrace's part once.
 */
export function containerEnvironment(existing: Partial<Record<InjectedVariable, string>>, injection: ContainerInjection): ContainerEnvironment {
  const paths = layoutPluginPaths(injection.layoutDir, injection.nodeEntry);
  const artifact = (name: PluginName, title: string): PluginArtifact => ({ name, title, path: paths[name], present: true });
  const result = injectPlugins(
    { ...existing },
    injection.runDir,
    { native: artifact('native', 'native shim'), node: artifact('node', 'node plugin'), jvm: artifact('jvm', 'jvm agent') },
    injection.enabled,
  );
  const env: ContainerEnvironment['env'] = {};
  for (const name of INJECTED_VARIABLES) {
    const value = result.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { env, notes: result.notes };
}
