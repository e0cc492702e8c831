// run.json: what `apitrace run` launched and how it ended. Written and read by the core
// only; emitters never touch it (docs/events.md, The run directory).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutputFile } from '../output/output-file.js';

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
  plugins: { native: PluginState; node: PluginState; jvm: PluginState };
}

export type PluginState = 'injected' | 'disabled' | 'missing' | 'unusable';

export function writeRunManifest(dir: string, manifest: RunManifest): void {
  writeOutputFile(join(dir, RUN_MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
}

/** Reads run.json; a missing file is undefined, a damaged one throws with the reason. */
export function readRunManifest(dir: string): RunManifest | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, RUN_MANIFEST_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<RunManifest>;
  if (parsed.format !== 'apitrace-run' || !Array.isArray(parsed.command)) {
    throw new Error('not an apitrace run manifest');
  }
  return parsed as RunManifest;
}
