// Writes one output file (SBOMs, findings, fingerprint, report.html, run.json, `-o FILE`)
// without ever writing through what already sits at its name. The observed process, or another
// user, may have planted a symbolic link there: the text goes into a new file beside it,
// created exclusively and without following links (mode 0600), which is then renamed over
// the name. rename(2) replaces a link; it never follows it.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../base/user-error.js';

// libuv adds O_CLOEXEC itself.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function reason(err: unknown, dir: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${dir}`;
    case 'ENOENT':
      return `${dir} does not exist`;
    case 'ENOTDIR':
      return `${dir} is not a directory`;
    case 'EISDIR':
      return 'it is a directory';
    case 'EROFS':
      return `${dir} is on a read-only file system`;
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    default:
      return (err as Error).message;
  }
}

function lstatOrNone(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/**
 * What may not be replaced: a directory, and whatever is no regular file (replacing /dev/null
 * or a pipe would break others). A link is replaced, unless it points at such a thing: that is
 * `-o /dev/stdout`, which must not turn /dev/stdout into a file.
 */
function unreplaceable(path: string): string | undefined {
  const existing = lstatOrNone(path);
  if (!existing || existing.isFile()) return undefined;
  if (existing.isDirectory()) return 'it is a directory';
  if (!existing.isSymbolicLink()) return 'it is not a regular file';
  const target = statSync(path, { throwIfNoEntry: false });
  return target && !target.isFile() ? 'it is a link to a directory, device or pipe' : undefined;
}

/** Writes `text` to `path` as a new regular file of mode 0600; throws a UserError saying why not. */
export function writeOutputFile(path: string, text: string, advice = 'choose another path'): void {
  const dir = dirname(path);
  const fail = (why: string): UserError => new UserError(`cannot write ${path}: ${why}`, advice);
  let refused: string | undefined;
  try {
    refused = unreplaceable(path);
  } catch (err) {
    throw fail(reason(err, dir));
  }
  if (refused !== undefined) throw fail(refused);

  const partial = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let fd: number;
  try {
    fd = openSync(partial, CREATE_NEW, 0o600);
  } catch (err) {
    throw fail(reason(err, dir));
  }
  try {
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  } catch (err) {
    try {
      unlinkSync(partial);
    } catch {
      // already gone: nothing to clean up
    }
    throw fail(reason(err, dir));
  }
}
