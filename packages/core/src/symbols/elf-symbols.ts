// The function symbols of an ELF file: `.dynsym` (what a stripped library still exports) and,
// when present, `.symtab` (static functions too, in a binary that was not stripped), as one
// table sorted by address, to name the function an offset falls in.
import { ElfFile, SHT_DYNSYM, SHT_STRTAB, SHT_SYMTAB, type ElfSection } from './elf-file.js';

const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SYMBOL_SIZE = 24;
/** Bytes of one symbol table, and of its string table, read at most (a large `node` has ~10 MB). */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
const MAX_NAME_BYTES = 1024;
/** Symbols before an offset looked at for one that contains it (aliases, nested labels). */
const CONTAINING_CANDIDATES = 8;

/**
 * The best symbol seen at each address so far, in parallel arrays (a large binary has ~200,000
 * symbols: no object and no string per symbol); a name is decoded only if it is kept.
 */
class Candidates {
  readonly indexOf = new Map<number, number>();
  readonly ends: number[] = [];
  readonly ranks: number[] = [];
  readonly tables: Buffer[] = [];
  readonly nameAts: number[] = [];
  readonly nameLengths: number[] = [];

  offer(value: number, end: number, rank: number, names: Buffer, nameAt: number, nameLength: number): void {
    const i = this.indexOf.get(value);
    if (i === undefined) {
      this.indexOf.set(value, this.ends.length);
      this.ends.push(end);
      this.ranks.push(rank);
      this.tables.push(names);
      this.nameAts.push(nameAt);
      this.nameLengths.push(nameLength);
      return;
    }
    if (!this.better(rank, names, nameAt, nameLength, i)) return;
    this.ends[i] = end;
    this.ranks[i] = rank;
    this.tables[i] = names;
    this.nameAts[i] = nameAt;
    this.nameLengths[i] = nameLength;
  }

  name(i: number): string {
    return this.tables[i]!.toString('latin1', this.nameAts[i], this.nameAts[i]! + this.nameLengths[i]!);
  }

  private better(rank: number, names: Buffer, nameAt: number, nameLength: number, i: number): boolean {
    if (rank !== this.ranks[i]) return rank < this.ranks[i]!;
    if (nameLength !== this.nameLengths[i]) return nameLength < this.nameLengths[i]!;
    const other = this.tables[i]!.subarray(this.nameAts[i], this.nameAts[i]! + this.nameLengths[i]!);
    return Buffer.compare(names.subarray(nameAt, nameAt + nameLength), other) < 0;
  }
}

export class FunctionSymbols {
  private constructor(
    private readonly values: Float64Array,
    private readonly ends: Float64Array,
    private readonly names: string[],
  ) {}

  /**
   * Reads `.symtab` and `.dynsym` of an open file; tables that are damaged or too big are left
   * out. Given the offsets to name, keeps only the functions that hold one of them: a large
   * binary has ~200,000 symbols, a run names a few dozen of its sites.
   */
  static read(elf: ElfFile, offsets?: readonly number[]): FunctionSymbols {
    const candidates = new Candidates();
    const wanted = offsets ? Float64Array.from(offsets).sort() : undefined;
    for (const table of elf.sections) {
      if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) continue;
      readTable(elf, table, candidates, wanted);
    }
    const values = Float64Array.from(candidates.indexOf.keys()).sort();
    const ends = new Float64Array(values.length);
    const names = new Array<string>(values.length);
    values.forEach((value, i) => {
      const at = candidates.indexOf.get(value)!;
      ends[i] = candidates.ends[at]!;
      names[i] = candidates.name(at);
    });
    return new FunctionSymbols(values, ends, names);
  }

  get count(): number {
    return this.names.length;
  }

  /** The function whose [value, value + size) holds the offset, if any. */
  functionAt(offset: number): string | undefined {
    let lo = 0;
    let hi = this.values.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! <= offset) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = at; i >= 0 && at - i < CONTAINING_CANDIDATES; i--) {
      if (offset < this.ends[i]!) return this.names[i];
    }
    return undefined;
  }
}

/** Lower is a better name for an address: the public name (strdup) over a reserved alias (__strdup). */
function rankOf(binding: number, reserved: boolean): number {
  const base = reserved ? 3 : 0;
  if (binding === STB_GLOBAL) return base;
  if (binding === STB_LOCAL) return base + 2;
  return base + 1; // weak, unique
}

/**
 * The length of the name at `at`: printable ASCII up to its NUL (names end up in terminals and
 * reports), or -1 when it is not, is too long or does not end inside the table.
 */
function nameLength(names: Buffer, at: number): number {
  const limit = Math.min(names.length, at + MAX_NAME_BYTES + 1);
  for (let i = at; i < limit; i++) {
    const byte = names[i]!;
    if (byte === 0) return i > at ? i - at : -1;
    if (byte < 0x21 || byte > 0x7e) return -1;
  }
  return -1;
}

/** A u64 at `at` as a number when it is one exactly, else -1. */
function u64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  return high > 0x1fffff ? -1 : high * 0x100000000 + view.getUint32(at, true);
}

/** Whether a sorted list holds an offset in [from, to). */
function holdsOneIn(sorted: Float64Array, from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! < to;
}

function readTable(elf: ElfFile, table: ElfSection, candidates: Candidates, wanted: Float64Array | undefined): void {
  if (table.entsize !== SYMBOL_SIZE || table.size % SYMBOL_SIZE !== 0) return;
  const strings = elf.sections[table.link];
  if (!strings || strings.type !== SHT_STRTAB) return;
  const symbols = elf.sectionBytes(table, MAX_TABLE_BYTES);
  const names = symbols && elf.sectionBytes(strings, MAX_TABLE_BYTES);
  if (!symbols || !names) return;
  const view = new DataView(symbols.buffer, symbols.byteOffset, symbols.byteLength);
  for (let at = 0; at + SYMBOL_SIZE <= symbols.length; at += SYMBOL_SIZE) {
    const info = view.getUint8(at + 4);
    const type = info & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    const shndx = view.getUint16(at + 6, true);
    if (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
    const value = u64(view, at + 8);
    const size = u64(view, at + 16);
    // a function of size 0 (hand-written assembly) cannot say where it ends: not trusted to name an offset
    if (value <= 0 || size <= 0 || !Number.isSafeInteger(value + size)) continue;
    if (wanted && !holdsOneIn(wanted, value, value + size)) continue;
    const nameAt = view.getUint32(at, true);
    const length = nameLength(names, nameAt);
    if (length < 0) continue;
    candidates.offer(value, value + size, rankOf(info >> 4, names[nameAt] === 0x5f), names, nameAt, length);
  }
}
