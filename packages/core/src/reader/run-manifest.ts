// run.json: what `apitrace run` launched and how it ended. Written and read by the core
// only; emitters never touch it (docs/events.md, The run directory).
import { join } from 'node:path';
import { writeOutputFile } from '../output/output-file.js';
import type { RunSeal } from './run-seal.js';
import { readRegularFile, UntrustedFileError } from './untrusted-file.js';

export const RUN_MANIFEST_NAME = 'run.json';

export interface RunManifest {
  format: 'apitrace-run';
  v: 1;
  /** redacted argv of the launched command */
  command: string[];
  cwd: string;
  started: string;
  ended?: string;
  exit_status?: number;
  /** the launched command's pid (absent when it could not be started) */
  pid?: number;
  /** what the run directory held once the command had ended (run-seal.ts) */
  seal?: RunSeal;
  plugins: { native: PluginState; node: PluginState; jvm: PluginState };
}

/** The command's pid when the native shim was injected into it: then it must have left an event file. */
export function instrumentedCommandPid(manifest: RunManifest | undefined): number | undefined {
  return manifest?.plugins.native === 'injected' ? manifest.pid : undefined;
}

export type PluginState = 'injected' | 'disabled' | 'missing' | 'unusable';

export function writeRunManifest(dir: string, manifest: RunManifest): void {
  writeOutputFile(join(dir, RUN_MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
}

/** run.json holds an argv and one line per event file: far less than this. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Reads run.json; a missing file is undefined, a damaged one throws with the reason. */
export function readRunManifest(dir: string): RunManifest | undefined {
  let text: string;
  try {
    text = readRegularFile(join(dir, RUN_MANIFEST_NAME), MAX_MANIFEST_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof UntrustedFileError && err.message === 'does not exist') return undefined;
    throw err;
  }
  let parsed: Partial<RunManifest> | null;
  try {
    parsed = JSON.parse(text) as Partial<RunManifest> | null;
  } catch {
    throw new Error('not JSON');
  }
  if (parsed?.format !== 'apitrace-run' || !Array.isArray(parsed.command) || typeof parsed.plugins !== 'object' || parsed.plugins === null) {
    throw new Error('not an apitrace run manifest');
  }
  if (parsed.seal !== undefined && !isSeal(parsed.seal)) throw new Error('its seal is damaged');
  return parsed as RunManifest;
}

function isSeal(value: unknown): value is RunSeal {
  const seal = value as Partial<RunSeal> | null;
  if (typeof seal !== 'object' || seal === null || typeof seal.event_files !== 'object' || seal.event_files === null) return false;
  return Object.values(seal.event_files).every((f: unknown) => {
    const file = f as { bytes?: unknown; sha256?: unknown } | null;
    return typeof file?.bytes === 'number' && typeof file.sha256 === 'string';
  });
}
