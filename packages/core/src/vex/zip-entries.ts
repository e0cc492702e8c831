// Reads the JSON entries of a zip archive (the OSV and GitHub exports ship as all.zip) into
// memory, one at a time, with yauzl. The archive is hostile input: nothing is written to disk,
// entry names are only used in messages (an absolute name or one with `..` is refused all the
// same), and the number of entries, the size of each and the total inflated are capped, with
// yauzl checking that an entry inflates to no more than it declares.
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { openRegularFile } from '../reader/untrusted-file.js';

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

export const ZIP_LIMITS: ZipLimits = { maxEntries: 500_000, maxEntryBytes: 16 * 1024 * 1024, maxTotalBytes: 4 * 1024 * 1024 * 1024 };

export interface ZipVisitor {
  /** a JSON entry's text */
  entry(name: string, text: string): void;
  /** an entry skipped, and why (a predicate) */
  skipped(name: string, why: string): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function entryName(entry: Entry): string {
  // names are bytes here (decodeStrings: false) so a bad name cannot make yauzl give up the whole archive
  const raw = entry.fileName as unknown as Buffer;
  return utf8
    .decode(raw)
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, 256);
}

function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..');
}

function openZip(fd: number): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromFd(fd, { autoClose: true, lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('not a zip archive'));
      else resolve(zip);
    });
  });
}

function readEntry(zip: ZipFile, entry: Entry, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) {
        reject(err ?? new Error('cannot be read'));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          stream.destroy(new Error(`inflates to more than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** Visits every `.json` entry of the archive at `path`; throws when the archive itself is unreadable. */
export async function readZipJsonEntries(path: string, visit: ZipVisitor, limits: ZipLimits = ZIP_LIMITS): Promise<void> {
  const { fd } = openRegularFile(path);
  const zip = await openZip(fd);
  let seen = 0;
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        const name = entryName(entry);
        const next = (): void => zip.readEntry();
        if (++seen > limits.maxEntries) {
          reject(new Error(`has more than ${limits.maxEntries} entries`));
          return;
        }
        if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) return next();
        if (unsafeName(name)) {
          visit.skipped(name, 'has an absolute name or one that climbs out with ..');
          return next();
        }
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          visit.skipped(name, `declares ${entry.uncompressedSize} bytes, more than the ${limits.maxEntryBytes} an advisory may have`);
          return next();
        }
        if (total + entry.uncompressedSize > limits.maxTotalBytes) {
          reject(new Error(`inflates to more than ${limits.maxTotalBytes} bytes in all`));
          return;
        }
        readEntry(zip, entry, limits.maxEntryBytes)
          .then(
            (bytes) => {
              total += bytes.length;
              visit.entry(name, utf8.decode(bytes));
            },
            (err: Error) => {
              visit.skipped(name, `cannot be inflated (${err.message})`);
            },
          )
          .then(next, reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
