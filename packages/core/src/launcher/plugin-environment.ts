// Adds the plugins to a child's environment the way each runtime picks them up, keeping
// whatever the user already had in those variables.
import type { PluginState } from '../reader/run-manifest.js';
import type { PluginArtifact, PluginName } from '../own/plugin-artifacts.js';

export interface InjectionResult {
  env: NodeJS.ProcessEnv;
  states: Record<PluginName, PluginState>;
  /** one line each, for stderr */
  notes: string[];
}

// NODE_OPTIONS and JAVA_TOOL_OPTIONS both split on spaces but honour double quotes.
function optionArg(text: string): string {
  return /[\s"]/.test(text) ? `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : text;
}

function appendOption(existing: string | undefined, option: string): string {
  return existing && existing.trim() !== '' ? `${existing} ${option}` : option;
}

function injectNative(env: NodeJS.ProcessEnv, shim: string): string | undefined {
  // ld.so splits LD_PRELOAD on spaces and colons and has no quoting.
  if (/[\s:]/.test(shim)) return `its path contains a space or colon, which LD_PRELOAD cannot express: ${shim}`;
  const current = env['LD_PRELOAD'] ?? '';
  const entries = current.split(/[\s:]+/).filter(Boolean);
  if (!entries.includes(shim)) env['LD_PRELOAD'] = [shim, ...entries].join(':');
  return undefined;
}

function injectNode(env: NodeJS.ProcessEnv, entry: string): void {
  const option = `--import ${optionArg(entry)}`;
  if (!(env['NODE_OPTIONS'] ?? '').includes(option)) env['NODE_OPTIONS'] = appendOption(env['NODE_OPTIONS'], option);
}

function injectJvm(env: NodeJS.ProcessEnv, jar: string): void {
  const option = optionArg(`-javaagent:${jar}`);
  if (!(env['JAVA_TOOL_OPTIONS'] ?? '').includes(option)) {
    env['JAVA_TOOL_OPTIONS'] = appendOption(env['JAVA_TOOL_OPTIONS'], option);
  }
}

export function injectPlugins(
  base: NodeJS.ProcessEnv,
  runDir: string,
  plugins: Record<PluginName, PluginArtifact>,
  enabled: Record<PluginName, boolean>,
): InjectionResult {
  const env: NodeJS.ProcessEnv = { ...base, APITRACE_DIR: runDir };
  const states = {} as Record<PluginName, PluginState>;
  const notes: string[] = [];
  for (const plugin of Object.values(plugins)) {
    if (!enabled[plugin.name]) {
      states[plugin.name] = 'disabled';
      continue;
    }
    if (!plugin.present) {
      states[plugin.name] = 'missing';
      notes.push(`apitrace: ${plugin.title} not found at ${plugin.path}; running without it (npm install builds it)`);
      continue;
    }
    let refusal: string | undefined;
    if (plugin.name === 'native') refusal = injectNative(env, plugin.path);
    else if (plugin.name === 'node') injectNode(env, plugin.path);
    else injectJvm(env, plugin.path);
    if (refusal) {
      states[plugin.name] = 'unusable';
      notes.push(`apitrace: ${plugin.title} cannot be injected: ${refusal}; running without it`);
    } else {
      states[plugin.name] = 'injected';
    }
  }
  return { env, states, notes };
}
