// fingerprint.json in a run directory, and reading a fingerprint back from either a run
// directory or a file (what `apitrace diff` compares).
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppModel } from '../model/build-app-model.js';
import { writeOutputFile } from '../output/output-file.js';
import { parseEventFileName } from '../reader/event-file-name.js';
import { instrumentedCommandPid, readRunManifest } from '../reader/run-manifest.js';
import { sealProblems, sha256Hex, type FoundFile } from '../reader/run-seal.js';
import { readRegularFile, UntrustedFileError } from '../reader/untrusted-file.js';
import { computeFingerprint, FINGERPRINT_FORMAT, FINGERPRINT_VERSION, fingerprintJson, type Fingerprint } from './fingerprint.js';

export const FINGERPRINT_FILE_NAME = 'fingerprint.json';

/** A file that is not a fingerprint this version reads. */
export class FingerprintFileError extends Error {}

/** Writes the run's fingerprint.json and returns the SHA-256 of what it wrote (for the run's seal). */
export function writeRunFingerprint(runDir: string, fingerprint: Fingerprint): string {
  const text = fingerprintJson(fingerprint);
  writeOutputFile(join(runDir, FINGERPRINT_FILE_NAME), text);
  return sha256Hex(text);
}

export function parseFingerprint(text: string, where: string): Fingerprint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new FingerprintFileError(`${where} is not JSON${position === undefined ? '' : ` (at character ${position})`}`);
  }
  const f = value as Partial<Fingerprint> | null;
  if (!f || typeof f !== 'object' || f.format !== FINGERPRINT_FORMAT)
    throw new FingerprintFileError(`${where} is not an apitrace fingerprint (no "format": "${FINGERPRINT_FORMAT}")`);
  if (f.v !== FINGERPRINT_VERSION)
    throw new FingerprintFileError(`${where} is fingerprint version ${String(f.v)}, this apitrace reads version ${FINGERPRINT_VERSION}`);
  return {
    format: FINGERPRINT_FORMAT,
    v: FINGERPRINT_VERSION,
    components: f.components ?? {},
    apis: f.apis ?? {},
    files: f.files ?? {},
    network: { peers: f.network?.peers ?? [], listening: f.network?.listening ?? [], hosts: f.network?.hosts ?? [] },
    programs: f.programs ?? [],
    commands: f.commands ?? [],
    webApis: { served: f.webApis?.served ?? [], called: f.webApis?.called ?? [] },
  };
}

/** Fingerprints are a few MB even for big applications. */
const MAX_FINGERPRINT_BYTES = 256 * 1024 * 1024;

export interface LoadedFingerprint {
  fingerprint: Fingerprint;
  /** why the run directory is not as `apitrace run` sealed it; empty for a fingerprint file */
  sealBroken: string[];
}

function readFingerprintFile(path: string): { text: Buffer } {
  try {
    return { text: readRegularFile(path, MAX_FINGERPRINT_BYTES) };
  } catch (err) {
    if (err instanceof UntrustedFileError) throw new FingerprintFileError(`${path} ${err.message}`);
    throw err;
  }
}

/** The event files of a run directory as they are now, by size, without reading them. */
function listedEventFiles(dir: string): FoundFile[] {
  const found: FoundFile[] = [];
  for (const name of readdirSync(dir)) {
    const parsed = parseEventFileName(name);
    if (parsed) found.push({ name, pid: parsed.pid, bytes: lstatSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0 });
  }
  return found;
}

/**
 * A run directory's fingerprint (its fingerprint.json when `apitrace run` wrote one, else
 * computed from its event files) or a fingerprint file, with what breaks the run's seal.
 */
export async function loadFingerprint(path: string, progress?: Parameters<typeof buildAppModel>[1]): Promise<LoadedFingerprint> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new FingerprintFileError(`${path} does not exist`);
  if (!stat.isDirectory()) {
    return { fingerprint: parseFingerprint(readFingerprintFile(path).text.toString('utf8'), path), sealBroken: [] };
  }
  const file = join(path, FINGERPRINT_FILE_NAME);
  if (!lstatSync(file, { throwIfNoEntry: false })) {
    let sealBroken: string[] = [];
    const fingerprint = computeFingerprint(await buildAppModel(path, { ...progress, read: (run) => (sealBroken = run.sealBroken) }));
    return { fingerprint, sealBroken };
  }
  const { text } = readFingerprintFile(file);
  let manifest;
  try {
    manifest = readRunManifest(path);
  } catch (err) {
    return { fingerprint: parseFingerprint(text.toString('utf8'), file), sealBroken: [`${join(path, 'run.json')}: unreadable (${(err as Error).message})`] };
  }
  const commandPid = instrumentedCommandPid(manifest);
  const sealBroken = sealProblems({ seal: manifest?.seal, files: listedEventFiles(path), ...(commandPid === undefined ? {} : { commandPid }) }).map(
    (p) => `${p.name === '' ? path : join(path, p.name)}: ${p.message}`,
  );
  const sealed = manifest?.seal?.fingerprint_sha256;
  if (sealed !== undefined && sealed !== sha256Hex(text)) sealBroken.push(`${file}: changed after the run ended: its content no longer matches the seal`);
  return { fingerprint: parseFingerprint(text.toString('utf8'), file), sealBroken };
}
