// Reads a `docker run` argument list far enough to find the image and any -e/--env the user
// gives for a variable apitrace composes, and builds the argument list with apitrace added.
import { UserError } from '../base/user-error.js';
import { INJECTED_VARIABLES, type InjectedVariable } from './container-environment.js';
import { CONTAINER_LAYOUT_DIR, CONTAINER_RUNS_DIR } from './container-paths.js';

// `docker run` options that take no value; every other option takes one. Keep in step with
// `docker run --help`: an unknown flag here would make its value look like the image.
const BOOLEAN_LONG = new Set([
  '--detach',
  '--interactive',
  '--tty',
  '--rm',
  '--init',
  '--privileged',
  '--publish-all',
  '--read-only',
  '--sig-proxy',
  '--oom-kill-disable',
  '--no-healthcheck',
  '--disable-content-trust',
  '--quiet',
  '--help',
  '--use-api-socket',
]);
const BOOLEAN_SHORT = new Set(['d', 'i', 't', 'P', 'q']);

export interface ParsedDockerRun {
  /** options before the image, without the -e/--env of apitrace's variables */
  options: string[];
  image: string;
  /** the command and its arguments after the image */
  command: string[];
  /** values the user set for apitrace's variables with -e/--env, last one winning as in docker */
  userEnv: Partial<Record<InjectedVariable, string>>;
}

function isInjected(name: string): name is InjectedVariable {
  return (INJECTED_VARIABLES as readonly string[]).includes(name);
}

/** `NAME=VALUE`, or `NAME` alone, which docker takes from its own environment. */
function envSetting(text: string, hostEnv: NodeJS.ProcessEnv): { name: string; value: string | undefined } {
  const eq = text.indexOf('=');
  if (eq >= 0) return { name: text.slice(0, eq), value: text.slice(eq + 1) };
  return { name: text, value: hostEnv[text] };
}

export function parseDockerRunArgs(args: readonly string[], hostEnv: NodeJS.ProcessEnv): ParsedDockerRun {
  const options: string[] = [];
  const userEnv: ParsedDockerRun['userEnv'] = {};
  const takeEnv = (text: string, original: string[]): void => {
    const { name, value } = envSetting(text, hostEnv);
    if (!isInjected(name)) {
      options.push(...original);
      return;
    }
    if (value === undefined) delete userEnv[name];
    else userEnv[name] = value;
  };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq >= 0 ? arg.slice(0, eq) : arg;
      if (eq >= 0 || BOOLEAN_LONG.has(flag)) {
        if (flag === '--env' && eq >= 0) takeEnv(arg.slice(eq + 1), [arg]);
        else options.push(arg);
        continue;
      }
      const value = args[++i];
      if (value === undefined) throw new UserError(`docker run option ${arg} has no value`, 'check the docker run arguments after --');
      if (flag === '--env') takeEnv(value, [arg, value]);
      else options.push(arg, value);
      continue;
    }
    // short options: a cluster of booleans (-it), or one option with its value attached (-eX=1) or next
    const letters = arg.slice(1);
    let taken = false;
    for (let k = 0; k < letters.length; k++) {
      if (BOOLEAN_SHORT.has(letters[k]!)) continue;
      const attached = letters.slice(k + 1);
      const booleans = k > 0 ? [`-${letters.slice(0, k)}`] : [];
      const value = attached !== '' ? attached : args[++i];
      if (value === undefined) throw new UserError(`docker run option ${arg} has no value`, 'check the docker run arguments after --');
      options.push(...booleans);
      const option = `-${letters[k]}`;
      if (option === '-e') takeEnv(value, attached !== '' ? [`-e${attached}`] : ['-e', value]);
      else options.push(...(attached !== '' ? [`${option}${attached}`] : [option, value]));
      taken = true;
      break;
    }
    if (!taken) options.push(arg);
  }
  const image = args[i];
  if (image === undefined)
    throw new UserError('docker-run: no image in the docker run arguments', 'usage: apitrace docker-run -- [docker run options] <image> [command...]');
  return { options, image, command: args.slice(i + 1), userEnv };
}

export interface DockerFlagsInput {
  layoutHostDir: string;
  runHostDir: string;
  env: Partial<Record<InjectedVariable, string>>;
}

function checkMountSource(path: string): void {
  // -v splits on colons; a path with one cannot be mounted this way.
  if (path.includes(':')) throw new UserError(`cannot mount ${path} into the container: the path contains a colon`, 'use a directory whose path has none');
}

/** The flags apitrace adds to `docker run`: the two mounts and the variables, in a fixed order. */
export function dockerRunFlags(input: DockerFlagsInput): string[] {
  checkMountSource(input.layoutHostDir);
  checkMountSource(input.runHostDir);
  const flags = ['--volume', `${input.layoutHostDir}:${CONTAINER_LAYOUT_DIR}:ro`, '--volume', `${input.runHostDir}:${CONTAINER_RUNS_DIR}`];
  for (const name of INJECTED_VARIABLES) {
    const value = input.env[name];
    if (value !== undefined) flags.push('--env', `${name}=${value}`);
  }
  return flags;
}
