// Creates the run directory (mode 0700) that APITRACE_DIR points every emitter at.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli/cli-error.js';

function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function defaultRunDirectory(cwd: string, now = new Date()): string {
  return join(cwd, '.apitrace', 'runs', `${timestamp(now)}-${randomBytes(3).toString('hex')}`);
}

/** Creates `dir` (or adopts it when it exists and is empty) with mode 0700; returns its absolute path. */
export function createRunDirectory(dir: string): string {
  const absolute = resolve(dir);
  const existing = statSync(absolute, { throwIfNoEntry: false });
  if (existing) {
    if (!existing.isDirectory()) throw new CliError(`--out ${dir}: exists and is not a directory`, 'choose a new directory');
    if (readdirSync(absolute).length > 0) {
      throw new CliError(`--out ${dir}: directory is not empty`, 'choose a new or empty directory so runs never mix');
    }
  } else {
    try {
      mkdirSync(absolute, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new CliError(`cannot create run directory ${dir}: ${(err as Error).message}`, 'check the path and permissions');
    }
  }
  // mkdir's mode is filtered by the umask; the run directory must be private whatever it is.
  chmodSync(absolute, 0o700);
  return absolute;
}
