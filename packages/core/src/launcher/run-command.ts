// `apitrace run`: make the run directory, inject the plugins, run the command, summarise.
import { redactArgv } from '@apitrace/node-plugin/redact';
import { UserError } from '../base/user-error.js';
import { writeRunManifest, type RunManifest } from '../reader/run-manifest.js';
import { nativeInterceptionWarnings } from './executable-check.js';
import { locatePlugins, type PluginName } from '../own/plugin-artifacts.js';
import { injectPlugins } from './plugin-environment.js';
import { createRunDirectory, defaultRunDirectory } from './run-directory.js';
import { superviseChild } from './supervise-child.js';

export interface RunOptions {
  out?: string;
  enabled: Record<PluginName, boolean>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** one line each to stderr */
  warn: (line: string) => void;
}

export interface RunResult {
  runDir: string;
  status: number;
}

export async function runCommand(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('runCommand needs a command');
  const runDir = createRunDirectory(options.out ?? defaultRunDirectory(options.cwd));
  const injection = injectPlugins(options.env, runDir, locatePlugins(), options.enabled);
  injection.notes.forEach(options.warn);
  if (injection.states.native === 'injected') {
    nativeInterceptionWarnings(command, injection.env, options.cwd).forEach(options.warn);
  }

  const manifest: RunManifest = {
    format: 'apitrace-run',
    v: 1,
    command: redactArgv(argv),
    cwd: options.cwd,
    started: new Date().toISOString(),
    plugins: injection.states,
  };
  try {
    writeRunManifest(runDir, manifest);
  } catch (err) {
    // nothing could be recorded either: saying so beats a run that silently holds nothing
    if (err instanceof UserError) throw new UserError(err.what, 'make room or fix the permissions there, or choose another --out');
    throw err;
  }

  const outcome = await superviseChild(command, args, injection.env);
  if (outcome.launchError) options.warn(`apitrace: cannot run ${command}: ${outcome.launchError}`);
  try {
    writeRunManifest(runDir, {
      ...manifest,
      ended: new Date().toISOString(),
      exit_status: outcome.status,
      ...(outcome.pid === undefined ? {} : { pid: outcome.pid }),
    });
  } catch (err) {
    // the command ran: its status is what scripts rely on, so this is a warning, not an exit 2
    if (!(err instanceof UserError)) throw err;
    options.warn(`apitrace: cannot record how the command ended: ${err.what} (the events are kept: apitrace report ${runDir})`);
  }
  return { runDir, status: outcome.status };
}
