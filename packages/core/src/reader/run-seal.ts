// The run's seal: what `apitrace run` found in the run directory once the command had ended
// (each event file's size and SHA-256, and the fingerprint it wrote), kept in run.json. The
// observed processes run as the same user and can rewrite their files; the seal cannot stop
// that, but it makes a change after the run ended, or a command that left no file, visible, and
// `diff --fail-on` fails closed on it (docs/security.md says what it does and does not cover).
import { createHash } from 'node:crypto';

export interface SealedFile {
  bytes: number;
  /** '' for a file that was not read whole (refused, or stopped early): its size is compared */
  sha256: string;
}

export interface RunSeal {
  at: string;
  /** every event file, by name */
  event_files: Record<string, SealedFile>;
  /** fingerprint.json as apitrace wrote it */
  fingerprint_sha256?: string;
}

/** An event file as found now; sha256 is left out where the file was not read. */
export interface FoundFile {
  name: string;
  bytes: number;
  sha256?: string;
  pid: number;
}

export interface SealProblem {
  /** the file name, or '' for the run as a whole */
  name: string;
  message: string;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function makeSeal(files: readonly FoundFile[], fingerprintSha256: string | undefined, at = new Date()): RunSeal {
  const event_files: Record<string, SealedFile> = {};
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    event_files[f.name] = { bytes: f.bytes, sha256: f.sha256 ?? '' };
  }
  return { at: at.toISOString(), event_files, ...(fingerprintSha256 === undefined ? {} : { fingerprint_sha256: fingerprintSha256 }) };
}

export interface SealCheckInput {
  seal: RunSeal | undefined;
  files: readonly FoundFile[];
  /** the launched command's pid, when the native plugin was injected into it */
  commandPid?: number;
}

/** What does not agree with the seal; empty when the run is as `apitrace run` left it. */
export function sealProblems({ seal, files, commandPid }: SealCheckInput): SealProblem[] {
  const problems: SealProblem[] = [];
  if (commandPid !== undefined && !files.some((f) => f.pid === commandPid)) {
    problems.push({
      name: '',
      message: `the command's process (pid ${commandPid}) left no event file: nothing was recorded for it (a statically linked program, or its file was removed)`,
    });
  }
  if (!seal) return problems;
  const found = new Map(files.map((f) => [f.name, f]));
  for (const [name, sealed] of Object.entries(seal.event_files)) {
    const now = found.get(name);
    if (!now) problems.push({ name, message: 'was removed after the run ended (the seal in run.json lists it)' });
    else if (now.bytes !== sealed.bytes) problems.push({ name, message: `changed after the run ended: ${now.bytes} bytes now, ${sealed.bytes} when sealed` });
    else if (now.sha256 !== undefined && sealed.sha256 !== '' && now.sha256 !== sealed.sha256)
      problems.push({ name, message: 'changed after the run ended: its content no longer matches the seal' });
  }
  for (const f of files) {
    if (!(f.name in seal.event_files)) problems.push({ name: f.name, message: 'appeared after the run ended (the seal in run.json does not list it)' });
  }
  return problems;
}
