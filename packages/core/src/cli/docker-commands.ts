// `apitrace docker-args` and `apitrace docker-run`: the same injection as `apitrace run`, for a
// container: the layout and a new run directory mounted, the variables set with --env.
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { ensureContainerLayout } from '../deploy/container-layout.js';
import { containerEnvironment, type InjectedVariable } from '../deploy/container-environment.js';
import { CONTAINER_LAYOUT_DIR, CONTAINER_RUNS_DIR } from '../deploy/container-paths.js';
import { imageEnvironment } from '../deploy/docker-image-env.js';
import { dockerRunFlags, parseDockerRunArgs } from '../deploy/docker-run-args.js';
import { locatePlugins } from '../own/plugin-artifacts.js';
import { createRunDirectory, defaultRunDirectory } from '../launcher/run-directory.js';
import { superviseChild } from '../launcher/supervise-child.js';
import { RunDirectoryError } from '../reader/run-reader.js';
import { shellQuote } from '../report/shell-quote.js';
import { terminalLines } from '../base/terminal-line.js';
import { summariseRun } from './report-command.js';

export const DEFAULT_LAYOUT_DIR = '.apitrace/layout';

interface DockerFlags {
  layout?: string;
  out?: string;
  native: boolean;
  node: boolean;
  jvm: boolean;
}

interface Prepared {
  flags: string[];
  runDir: string;
}

function addSharedOptions(command: Command): Command {
  return command
    .addOption(new Option('--layout <dir>', `the container layout to mount, written when missing or stale (default: ./${DEFAULT_LAYOUT_DIR})`))
    .addOption(new Option('-o, --out <dir>', 'host run directory to mount, new or empty (default: ./.apitrace/runs/<timestamp>-<id>)'))
    .option('--no-native', 'do not inject the native shim (LD_PRELOAD)')
    .option('--no-node', 'do not inject the node plugin (NODE_OPTIONS --import)')
    .option('--no-jvm', 'do not inject the jvm agent (JAVA_TOOL_OPTIONS -javaagent)');
}

function prepare(flags: DockerFlags, existing: Partial<Record<InjectedVariable, string>>, version: string, warn: (line: string) => void): Prepared {
  const cwd = process.cwd();
  const layout = ensureContainerLayout(resolve(cwd, flags.layout ?? DEFAULT_LAYOUT_DIR), locatePlugins(), version);
  if (layout.wrote) warn(`apitrace: wrote the container layout to ${layout.dir}`);
  const runDir = createRunDirectory(flags.out ?? defaultRunDirectory(cwd));
  const injected = containerEnvironment(existing, {
    layoutDir: CONTAINER_LAYOUT_DIR,
    nodeEntry: layout.manifest.nodeEntry,
    runDir: CONTAINER_RUNS_DIR,
    enabled: { native: flags.native, node: flags.node, jvm: flags.jvm },
  });
  injected.notes.forEach(warn);
  return { flags: dockerRunFlags({ layoutHostDir: layout.dir, runHostDir: runDir, env: injected.env }), runDir };
}

async function existingImageEnv(image: string, warn: (line: string) => void): Promise<Partial<Record<InjectedVariable, string>>> {
  const result = await imageEnvironment(image, process.env);
  if (result.ok) return result.env;
  warn(
    `apitrace: cannot read the environment of image ${image}: ${result.why} ` +
      '(LD_PRELOAD, NODE_OPTIONS or JAVA_TOOL_OPTIONS set by the image are replaced; docker pull the image first to keep them)',
  );
  return {};
}

export function registerDockerCommands(program: Command, version: string, setStatus: (status: number) => void, warn: (line: string) => void): void {
  addSharedOptions(
    program.command('docker-args').description('print the docker run flags that inject apitrace: the layout and run directory mounts and the variables'),
  )
    .addOption(new Option('--image <image>', "keep what the image's own ENV sets in the injected variables (reads it with docker image inspect)"))
    .option('--json', 'print the flags as a JSON array instead of one shell-quoted line')
    .action(async (flags: DockerFlags & { image?: string; json?: boolean }) => {
      const existing = flags.image === undefined ? {} : await existingImageEnv(flags.image, warn);
      const prepared = prepare(flags, existing, version, warn);
      // The image's own ENV ends up in the flags: shown as one safe line, exact in --json.
      process.stdout.write(flags.json ? `${JSON.stringify(prepared.flags)}\n` : terminalLines([shellQuote(prepared.flags)]));
      setStatus(0);
    });

  addSharedOptions(
    program
      .command('docker-run')
      .description('run docker run with the apitrace flags added, then summarise what was recorded')
      .usage('[options] -- [docker run options] <image> [command...]'),
  )
    .argument('<docker-run-args...>', 'the docker run arguments, after --')
    .passThroughOptions()
    .action(async (dockerArgs: string[], flags: DockerFlags) => {
      const parsed = parseDockerRunArgs(dockerArgs, process.env);
      const imageEnv = await existingImageEnv(parsed.image, warn);
      // -e on the command line overrides the image's ENV in docker, so it does here too.
      const prepared = prepare(flags, { ...imageEnv, ...parsed.userEnv }, version, warn);
      const argv = ['run', ...parsed.options, ...prepared.flags, parsed.image, ...parsed.command];
      const outcome = await superviseChild('docker', argv, process.env);
      if (outcome.launchError) warn(`apitrace: cannot run docker: ${outcome.launchError} (install the docker CLI or put it on PATH)`);
      try {
        process.stderr.write(await summariseRun(prepared.runDir));
      } catch (err) {
        // A detached container has recorded nothing yet; the container's status still decides.
        const why = err instanceof RunDirectoryError ? err.message : (err as Error).message;
        warn(`apitrace: no summary of ${prepared.runDir}: ${why}`);
      }
      setStatus(outcome.status);
    });
}
