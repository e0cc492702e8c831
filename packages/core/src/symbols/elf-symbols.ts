// The function symbols of an ELF file: `.dynsym` (what a stripped library still exports) and,
// when present, `.symtab` (static functions too, in a binary that was not stripped), as one
// table sorted by address, to name the function an offset falls in.
import { cString, ElfFile, SHT_DYNSYM, SHT_STRTAB, SHT_SYMTAB, safeU64, type ElfSection } from './elf-file.js';

const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SYMBOL_SIZE = 24;
/** Bytes of one symbol table, and of its string table, read at most (a large `node` has ~10 MB). */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;
/** Symbols before an offset looked at for one that contains it (aliases, nested labels). */
const CONTAINING_CANDIDATES = 8;
const PRINTABLE = /^[\x21-\x7e]+$/;

interface SymbolEntry {
  value: number;
  size: number;
  name: string;
  rank: number;
}

export class FunctionSymbols {
  private constructor(
    private readonly values: Float64Array,
    private readonly ends: Float64Array,
    private readonly names: string[],
  ) {}

  /** Reads `.symtab` and `.dynsym` of an open file; tables that are damaged or too big are left out. */
  static read(elf: ElfFile): FunctionSymbols {
    const entries: SymbolEntry[] = [];
    for (const table of elf.sections) {
      if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) continue;
      readTable(elf, table, entries);
    }
    // by address, the best name of each address first
    entries.sort((a, b) => a.value - b.value || a.rank - b.rank || a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const kept = entries.filter((e, i) => i === 0 || entries[i - 1]!.value !== e.value);
    return new FunctionSymbols(
      Float64Array.from(kept, (e) => e.value),
      Float64Array.from(kept, (e) => e.value + e.size),
      kept.map((e) => e.name),
    );
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
function rankOf(binding: number, name: string): number {
  const reserved = name.startsWith('_') ? 3 : 0;
  if (binding === STB_GLOBAL) return reserved;
  if (binding === STB_LOCAL) return reserved + 2;
  return reserved + 1; // weak, unique
}

function readTable(elf: ElfFile, table: ElfSection, into: SymbolEntry[]): void {
  if (table.entsize !== SYMBOL_SIZE || table.size % SYMBOL_SIZE !== 0) return;
  const strings = elf.sections[table.link];
  if (!strings || strings.type !== SHT_STRTAB) return;
  const symbols = elf.sectionBytes(table, MAX_TABLE_BYTES);
  const names = symbols && elf.sectionBytes(strings, MAX_TABLE_BYTES);
  if (!symbols || !names) return;
  for (let at = 0; at + SYMBOL_SIZE <= symbols.length; at += SYMBOL_SIZE) {
    const info = symbols[at + 4]!;
    const type = info & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    const shndx = symbols.readUInt16LE(at + 6);
    if (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE) continue;
    const value = safeU64(symbols, at + 8);
    const size = safeU64(symbols, at + 16);
    // a function of size 0 (hand-written assembly) cannot say where it ends: not trusted to name an offset
    if (value === undefined || size === undefined || value === 0 || size === 0 || !Number.isSafeInteger(value + size)) continue;
    const name = cString(names, symbols.readUInt32LE(at), 1024);
    // names end up in terminals and reports: printable ASCII only
    if (!name || !PRINTABLE.test(name)) continue;
    into.push({ value, size, name, rank: rankOf(info >> 4, name) });
  }
}
