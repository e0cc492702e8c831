// Opens a file that someone else may have planted: the run directory is written by the observed
// processes (and, for `docker-run`, by an image). A planted link is not followed, a FIFO cannot
// block the open, and only a regular file is read, no further than its size when it was opened,
// so a file that keeps growing (or a device) cannot make a reader run or allocate without end.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The file is not one apitrace will read; the message (a predicate: "is a FIFO") says why, quoting no content. */
export class UntrustedFileError extends Error {}

export interface OpenedFile {
  fd: number;
  /** bytes to read: the size when it was opened */
  size: number;
}

// libuv adds O_CLOEXEC itself
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export interface OpenOptions {
  /**
   * follow a symbolic link to a regular file (default false): for files named by recorded
   * paths, such as the libraries a process loaded, which are often links
   */
  followLinks?: boolean;
}

function kindOf(stat: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Opens `path` for reading if it is a regular file and not a symbolic link; the caller closes fd. */
export function openRegularFile(path: string, options: OpenOptions = {}): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, options.followLinks ? OPEN_FLAGS : OPEN_FLAGS | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UntrustedFileError('is a symbolic link, which apitrace does not follow');
    if (code === 'ENOENT') throw new UntrustedFileError('does not exist');
    if (code === 'EACCES' || code === 'EPERM') throw new UntrustedFileError('is not readable (permission denied)');
    if (code === 'ENXIO') throw new UntrustedFileError('is a socket or a FIFO without a writer');
    throw new UntrustedFileError(`cannot be opened (${code ?? (err as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UntrustedFileError(`is ${kindOf(stat)}, not a regular file`);
    return { fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads a whole small file (run.json, fingerprint.json) that must not be larger than `maxBytes`. */
export function readRegularFile(path: string, maxBytes: number, options: OpenOptions = {}): Buffer {
  const { fd, size } = openRegularFile(path, options);
  try {
    if (size > maxBytes) throw new UntrustedFileError(`is ${size} bytes, more than the ${maxBytes} such a file can hold`);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === size ? buffer : buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Feeds a regular file to `consume` in chunks, up to its size when opened (for hashing big files). */
export function forEachChunk(path: string, consume: (chunk: Buffer) => void, options: OpenOptions = {}): void {
  const { fd, size } = openRegularFile(path, options);
  try {
    const buffer = Buffer.allocUnsafe(Math.min(size, 1024 * 1024));
    let position = 0;
    while (position < size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
      if (n === 0) break;
      consume(buffer.subarray(0, n));
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}
