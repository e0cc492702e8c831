// An ELF64 little-endian file named by an event file, read without trusting it: only a regular
// file (links followed, as libraries are often links; a FIFO or device refused), no further than
// its size when opened, every offset and size checked against that size and against caps before
// anything is read or allocated. What it offers: the GNU build-id and the sections by name.
import { closeSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { openRegularFile } from '../reader/untrusted-file.js';

/** The file is not an ELF file this reader accepts; the message says why (a predicate). */
export class ElfFormatError extends Error {}

export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const NT_GNU_BUILD_ID = 3;

const MAX_SECTIONS = 65_536;
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_NAME_TABLE_BYTES = 1024 * 1024;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** A u64 as a number when it is one exactly, else undefined (a value no real file holds). */
export function safeU64(buf: Buffer, at: number): number | undefined {
  // two halves, no BigInt: this runs for every symbol of a large table
  const high = buf.readUInt32LE(at + 4);
  return high > 0x1fffff ? undefined : high * 0x100000000 + buf.readUInt32LE(at);
}

/** A NUL-terminated string at `at`, at most `max` bytes long; undefined when it does not end in time. */
export function cString(buf: Buffer, at: number, max = 4096): string | undefined {
  if (!Number.isSafeInteger(at) || at < 0 || at >= buf.length) return undefined;
  const end = buf.indexOf(0, at);
  if (end < 0 || end - at > max) return undefined;
  return buf.toString('latin1', at, end);
}

export class ElfFile {
  readonly sections: ElfSection[];
  readonly type: number;
  private constructor(
    private fd: number | undefined,
    readonly path: string,
    readonly size: number,
    header: Buffer,
    sectionTable: Buffer,
  ) {
    this.type = header.readUInt16LE(16);
    this.sections = [];
    const count = sectionTable.length / 64;
    const raw = [];
    for (let i = 0; i < count; i++) {
      const at = i * 64;
      raw.push({
        nameAt: sectionTable.readUInt32LE(at),
        type: sectionTable.readUInt32LE(at + 4),
        flags: safeU64(sectionTable, at + 8) ?? 0,
        offset: safeU64(sectionTable, at + 24),
        size: safeU64(sectionTable, at + 32),
        link: sectionTable.readUInt32LE(at + 40),
        entsize: safeU64(sectionTable, at + 56) ?? 0,
      });
    }
    const shstrndx = header.readUInt16LE(0x3e);
    const table = raw[shstrndx];
    const names =
      table?.offset !== undefined && table.size !== undefined
        ? this.sectionBytes({ ...table, offset: table.offset, size: table.size }, MAX_NAME_TABLE_BYTES)
        : undefined;
    raw.forEach((s, index) => {
      if (s.offset === undefined || s.size === undefined) return;
      this.sections.push({
        index,
        name: (names && cString(names, s.nameAt, 256)) ?? '',
        type: s.type,
        flags: s.flags,
        offset: s.offset,
        size: s.size,
        link: s.link,
        entsize: s.entsize,
      });
    });
  }

  /** Opens and checks the header and section table; the caller closes. Throws UntrustedFileError or ElfFormatError. */
  static open(path: string): ElfFile {
    const { fd, size } = openRegularFile(path, { followLinks: true });
    try {
      const header = readExactly(fd, size, 0, 64);
      if (header.readUInt32BE(0) !== 0x7f454c46) throw new ElfFormatError('is not an ELF file');
      if (header[4] !== 2 || header[5] !== 1) throw new ElfFormatError('is not a 64-bit little-endian ELF file');
      const shoff = safeU64(header, 0x28);
      const shentsize = header.readUInt16LE(0x3a);
      let shnum = header.readUInt16LE(0x3c);
      if (shoff === undefined) throw new ElfFormatError('is truncated (a header points past its end)');
      if (shoff === 0) return new ElfFile(fd, path, size, header, Buffer.alloc(0));
      if (shentsize !== 64) throw new ElfFormatError(`has section headers of ${shentsize} bytes, not 64`);
      if (shnum === 0) {
        // extended numbering: the count is in the first section header's size
        const first = readExactly(fd, size, shoff, 64);
        const extended = safeU64(first, 32);
        if (extended === undefined || extended > MAX_SECTIONS) throw new ElfFormatError('has more sections than apitrace reads');
        shnum = extended;
      }
      const table = readExactly(fd, size, shoff, shnum * 64);
      return new ElfFile(fd, path, size, header, table);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name && s.type !== SHT_NOBITS);
  }

  /** The GNU build-id of the first note that carries one, as lower-case hex. */
  buildId(): string | undefined {
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE) continue;
      const notes = this.sectionBytes(s, MAX_NOTE_BYTES);
      if (!notes) continue;
      for (let at = 0; at + 12 <= notes.length;) {
        const namesz = notes.readUInt32LE(at);
        const descsz = notes.readUInt32LE(at + 4);
        const type = notes.readUInt32LE(at + 8);
        const nameAt = at + 12;
        const descAt = nameAt + align4(namesz);
        const next = descAt + align4(descsz);
        if (next > notes.length || next <= at) break;
        if (type === NT_GNU_BUILD_ID && namesz === 4 && notes.toString('latin1', nameAt, nameAt + 3) === 'GNU' && descsz > 0) {
          return notes.toString('hex', descAt, descAt + descsz);
        }
        at = next;
      }
    }
    return undefined;
  }

  /**
   * A section's contents, inflated when compressed, or undefined when it lies outside the file,
   * is bigger than `max` bytes (before and after inflating), or is damaged.
   */
  sectionBytes(s: Pick<ElfSection, 'offset' | 'size' | 'flags' | 'type'>, max: number): Buffer | undefined {
    if (this.fd === undefined || s.type === SHT_NOBITS) return undefined;
    if (s.size > max || !fits(s.offset, s.size, this.size)) return undefined;
    const bytes = readExactly(this.fd, this.size, s.offset, s.size);
    if ((s.flags & SHF_COMPRESSED) === 0) return bytes;
    if (bytes.length < 24 || bytes.readUInt32LE(0) !== ELFCOMPRESS_ZLIB) return undefined;
    const inflatedSize = safeU64(bytes, 8);
    if (inflatedSize === undefined || inflatedSize > max) return undefined;
    try {
      const out = inflateSync(bytes.subarray(24), { maxOutputLength: Math.max(inflatedSize, 1) });
      return out.length === inflatedSize ? out : undefined;
    } catch {
      return undefined;
    }
  }
}

const align4 = (n: number): number => (n + 3) & ~3;

function fits(offset: number, length: number, size: number): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= size;
}

function readExactly(fd: number, size: number, offset: number, length: number): Buffer {
  if (!fits(offset, length, size)) throw new ElfFormatError('is truncated (a header points past its end)');
  // not zero-filled: every byte is read below, or nothing is returned
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, offset + done);
    if (n === 0) throw new ElfFormatError('is shorter than when it was opened');
    done += n;
  }
  return buffer;
}
