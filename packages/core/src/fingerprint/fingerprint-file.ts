// fingerprint.json in a run directory, and reading a fingerprint back from either a run
// directory or a file (what `apitrace diff` compares).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppModel } from '../model/app-model.js';
import { writeOutputFile } from '../output/output-file.js';
import { computeFingerprint, FINGERPRINT_FORMAT, FINGERPRINT_VERSION, fingerprintJson, type Fingerprint } from './fingerprint.js';

export const FINGERPRINT_FILE_NAME = 'fingerprint.json';

/** A file that is not a fingerprint this version reads. */
export class FingerprintFileError extends Error {}

export function writeRunFingerprint(runDir: string, fingerprint: Fingerprint): string {
  const path = join(runDir, FINGERPRINT_FILE_NAME);
  writeOutputFile(path, fingerprintJson(fingerprint));
  return path;
}

export function parseFingerprint(text: string, where: string): Fingerprint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FingerprintFileError(`${where} is not JSON: ${(err as Error).message}`);
  }
  const f = value as Partial<Fingerprint> | null;
  if (!f || typeof f !== 'object' || f.format !== FINGERPRINT_FORMAT) throw new FingerprintFileError(`${where} is not an apitrace fingerprint (no "format": "${FINGERPRINT_FORMAT}")`);
  if (f.v !== FINGERPRINT_VERSION) throw new FingerprintFileError(`${where} is fingerprint version ${String(f.v)}, this apitrace reads version ${FINGERPRINT_VERSION}`);
  return {
    format: FINGERPRINT_FORMAT, v: FINGERPRINT_VERSION,
    components: f.components ?? {}, apis: f.apis ?? {}, files: f.files ?? {},
    network: { peers: f.network?.peers ?? [], listening: f.network?.listening ?? [], hosts: f.network?.hosts ?? [] },
    programs: f.programs ?? [], commands: f.commands ?? [],
    webApis: { served: f.webApis?.served ?? [], called: f.webApis?.called ?? [] },
  };
}

/**
 * A run directory's fingerprint (its fingerprint.json when `apitrace run` wrote one, else
 * computed from its event files) or a fingerprint file.
 */
export async function loadFingerprint(path: string, progress?: Parameters<typeof buildAppModel>[1]): Promise<Fingerprint> {
  if (!existsSync(path)) throw new FingerprintFileError(`${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const file = join(path, FINGERPRINT_FILE_NAME);
    if (existsSync(file)) return parseFingerprint(readFileSync(file, 'utf8'), file);
    return computeFingerprint(await buildAppModel(path, progress));
  }
  return parseFingerprint(readFileSync(path, 'utf8'), path);
}
