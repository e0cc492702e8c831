// The run directory that APITRACE_DIR points every emitter at: created mode 0700, or an empty
// private directory of this user adopted as it is.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../base/user-error.js';

function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function defaultRunDirectory(cwd: string, now = new Date()): string {
  return join(cwd, '.apitrace', 'runs', `${timestamp(now)}-${randomBytes(3).toString('hex')}`);
}

const mode = (stats: Stats): string => (stats.mode & 0o7777).toString(8).padStart(4, '0');

function cannotCreate(dir: string, err: unknown): UserError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'ENOTDIR'
      ? 'a file stands where a directory is needed'
      : e.code === 'EEXIST'
        ? 'it was created by someone else meanwhile'
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? 'permission denied'
          : e.message;
  return new UserError(`cannot create run directory ${dir}: ${why}`, 'check the path and permissions');
}

/**
 * An existing directory is used only when it is the caller's own, private enough, and empty.
 * Nothing about it is changed: it is not ours to chmod. Group- or world-writable is refused,
 * since whoever else can write there could plant event files in the run or delete it.
 */
function adoptDirectory(dir: string, absolute: string, existing: Stats): void {
  if (existing.isSymbolicLink()) throw new UserError(`--out ${dir}: is a symbolic link`, 'give the directory it points to, or a new one');
  if (!existing.isDirectory()) throw new UserError(`--out ${dir}: exists and is not a directory`, 'choose a new directory');
  const uid = process.getuid?.();
  if (uid !== undefined && existing.uid !== uid) {
    throw new UserError(`--out ${dir}: directory belongs to uid ${existing.uid}, not to you`, 'choose a new directory, or one of your own');
  }
  if ((existing.mode & 0o022) !== 0) {
    throw new UserError(`--out ${dir}: directory is writable by other users (mode ${mode(existing)})`, `chmod go-w ${dir}, or choose a new directory`);
  }
  let entries: string[];
  try {
    entries = readdirSync(absolute);
  } catch (err) {
    throw new UserError(`--out ${dir}: cannot read the directory: ${(err as Error).message}`, 'choose a new directory');
  }
  if (entries.length > 0) {
    throw new UserError(`--out ${dir}: directory is not empty`, 'choose a new or empty directory so runs never mix');
  }
}

/** Creates the leaf (its parents as needed) and makes it 0700 whatever the umask. */
function makeDirectory(dir: string, absolute: string): void {
  let fd: number;
  try {
    mkdirSync(dirname(absolute), { recursive: true });
    mkdirSync(absolute, { mode: 0o700 });
    // chmod through a descriptor of the directory just made, so a link swapped in meanwhile is never followed
    fd = openSync(absolute, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    throw cannotCreate(dir, err);
  }
  try {
    fchmodSync(fd, 0o700);
  } finally {
    closeSync(fd);
  }
}

/** Creates `dir`, or adopts it when it is an empty private directory of this user; returns its absolute path. */
export function createRunDirectory(dir: string): string {
  const absolute = resolve(dir);
  let existing: Stats | undefined;
  try {
    existing = lstatSync(absolute, { throwIfNoEntry: false });
  } catch (err) {
    throw cannotCreate(dir, err);
  }
  if (existing) adoptDirectory(dir, absolute, existing);
  else makeDirectory(dir, absolute);
  return absolute;
}
