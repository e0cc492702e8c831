// The functions inlined at an address, from the DWARF debug information of a binary built with
// -g: an optimising compiler folds a small static function (make_session_token) into its caller,
// so the symbol table names only the caller (main); the DW_TAG_inlined_subroutine entries still
// say which function the code came from. Read like everything else in symbols/: bounded, every
// offset checked, a damaged unit skipped (its addresses keep the symbol table's name). Only the
// compile units that hold a looked-up address are read in full, each once.
import { cString, type ElfFile } from './elf-file.js';

const MAX_SECTION_BYTES = 64 * 1024 * 1024;
const MAX_UNITS = 200_000;
/** Address ranges of all units together, at most. */
const MAX_UNIT_RANGES = 1_000_000;
/** Entries read in one compile unit at most: one unit of a huge generated file is skipped, not read for minutes. */
const MAX_ENTRIES_PER_UNIT = 2_000_000;
const MAX_REFERENCE_HOPS = 8;
/** Abbreviations read over all tables of a file: units that each name a table of their own cannot make the index slow. */
const MAX_ABBREVIATIONS = 2_000_000;
/** Unit ranges before an address looked at for one that holds it (units rarely overlap). */
const OVERLAPPING_RANGES = 16;
const MAX_RANGES = 4096;
const PRINTABLE = /^[\x20-\x7e]+$/;

const TAG_COMPILE_UNIT = 0x11;
const TAG_PARTIAL_UNIT = 0x3c;
const TAG_SUBPROGRAM = 0x2e;
const TAG_INLINED_SUBROUTINE = 0x1d;

const AT_NAME = 0x03;
const AT_LOW_PC = 0x11;
const AT_HIGH_PC = 0x12;
const AT_ABSTRACT_ORIGIN = 0x31;
const AT_SPECIFICATION = 0x47;
const AT_RANGES = 0x55;
const AT_STR_OFFSETS_BASE = 0x72;
const AT_ADDR_BASE = 0x73;
const AT_RNGLISTS_BASE = 0x74;
const AT_GNU_ADDR_BASE = 0x2133;
const AT_GNU_RANGES_BASE = 0x2132;

class DwarfError extends Error {}

/** A bounds-checked reader over one section. */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end = buf.length,
  ) {}
  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) throw new DwarfError('past the end of its section');
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.buf[this.need(1)]!;
  }
  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  u24(): number {
    const at = this.need(3);
    return this.buf.readUInt16LE(at) + this.buf[at + 2]! * 0x10000;
  }
  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  u64(): number {
    const v = this.buf.readBigUInt64LE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER; // all-ones markers stay recognisable as huge
    return Number(v);
  }
  sized(size: number): number {
    if (size === 1) return this.u8();
    if (size === 2) return this.u16();
    if (size === 4) return this.u32();
    if (size === 8) return this.u64();
    throw new DwarfError(`a value of ${size} bytes`);
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return Math.min(result, Number.MAX_SAFE_INTEGER);
      scale *= 128;
    }
    throw new DwarfError('a LEB128 number longer than 10 bytes');
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return (byte & 0x40) !== 0 ? result - scale : result;
    }
    throw new DwarfError('a LEB128 number longer than 10 bytes');
  }
  skip(n: number): void {
    this.need(n);
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0 || end >= this.end) throw new DwarfError('a string without its end');
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }
}

interface AttributeSpec {
  name: number;
  form: number;
  implicit: number;
}
interface Abbrev {
  tag: number;
  children: boolean;
  specs: AttributeSpec[];
}

interface Unit {
  offset: number;
  end: number;
  version: number;
  addressSize: number;
  offsetSize: number;
  firstEntry: number;
  abbrevs: Map<number, Abbrev>;
  ranges: Array<[number, number]>;
  strOffsetsBase?: number;
  addrBase?: number;
  rnglistsBase?: number;
  /** the unit's base address for range lists: its low_pc */
  base: number;
  scopes?: Scope[];
  damaged?: boolean;
}

interface Scope {
  inlined: boolean;
  depth: number;
  ranges: Array<[number, number]>;
  entry: number;
}

/** An attribute value: a number (address, constant, offset, index, reference) or an inline string. */
type Value = number | string | undefined;

interface Entry {
  tag: number;
  children: boolean;
  attrs: Map<number, { form: number; value: Value }>;
}

export class InlinedFunctions {
  private readonly units: Unit[] = [];
  /** every address range of every unit, sorted by start */
  private unitRanges: Array<{ lo: number; hi: number; unit: Unit }> = [];
  private abbreviationsLeft = MAX_ABBREVIATIONS;
  private readonly names = new Map<number, string | null>();
  /** abbreviation tables by offset: units usually share one */
  private readonly abbrevTables = new Map<number, Map<number, Abbrev>>();

  private constructor(
    private readonly info: Buffer,
    private readonly abbrev: Buffer,
    private readonly str: Buffer | undefined,
    private readonly lineStr: Buffer | undefined,
    private readonly strOffsets: Buffer | undefined,
    private readonly addr: Buffer | undefined,
    private readonly rangesV4: Buffer | undefined,
    private readonly rnglists: Buffer | undefined,
  ) {
    this.indexUnits();
  }

  /**
   * The file's DWARF, or undefined when it has none apitrace can read (stripped, damaged) or
   * when its sections hold more than `maxBytes` (what the caller can still keep in memory).
   */
  static read(elf: ElfFile, maxBytes: number): InlinedFunctions | undefined {
    const names = ['.debug_info', '.debug_abbrev', '.debug_str', '.debug_line_str', '.debug_str_offsets', '.debug_addr', '.debug_ranges', '.debug_rnglists'];
    const sections = names.map((name) => elf.section(name));
    if (!sections[0] || !sections[1]) return undefined;
    // compressed sections grow when inflated; each is still capped by MAX_SECTION_BYTES
    if (sections.reduce((n, s) => n + (s?.size ?? 0), 0) > maxBytes) return undefined;
    const [info, abbrev, str, lineStr, strOffsets, addr, ranges, rnglists] = sections.map((s) => (s ? elf.sectionBytes(s, MAX_SECTION_BYTES) : undefined));
    if (!info || !abbrev) return undefined;
    const read = new InlinedFunctions(info, abbrev, str, lineStr, strOffsets, addr, ranges, rnglists);
    read.bytes = [info, abbrev, str, lineStr, strOffsets, addr, ranges, rnglists].reduce((n, b) => n + (b?.length ?? 0), 0);
    return read;
  }

  /** Bytes of debug information this keeps in memory. */
  bytes = 0;

  /**
   * The functions inlined at `offset`, innermost first (empty when none or when the unit that
   * holds it cannot be read). The function they were inlined into is the symbol table's to name.
   */
  inlinedAt(offset: number): string[] {
    const ranges = this.unitRanges;
    let lo = 0;
    let hi = ranges.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid]!.lo <= offset) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = at; i >= 0 && at - i < OVERLAPPING_RANGES; i--) {
      if (offset >= ranges[i]!.hi) continue;
      const unit = ranges[i]!.unit;
      const scopes = this.scopesOf(unit);
      const around = scopes.filter((s) => s.inlined && s.ranges.some(([lo, hi]) => offset >= lo && offset < hi)).sort((a, b) => b.depth - a.depth);
      const names: string[] = [];
      for (const scope of around) {
        const name = this.nameOf(unit, scope.entry);
        if (name) names.push(name);
      }
      if (around.length > 0) return names;
    }
    return [];
  }

  private indexUnits(): void {
    const c = new Cursor(this.info, 0);
    let rangeCount = 0;
    while (c.pos + 11 <= this.info.length && this.units.length < MAX_UNITS && rangeCount < MAX_UNIT_RANGES) {
      const offset = c.pos;
      let length = c.u32();
      let offsetSize = 4;
      if (length === 0xffffffff) {
        length = c.u64();
        offsetSize = 8;
      } else if (length >= 0xfffffff0) {
        return; // reserved: nothing after it can be found
      }
      const end = c.pos + length;
      if (end > this.info.length || length < 7) return;
      try {
        const unit = this.unitHeader(new Cursor(this.info, c.pos, end), offset, end, offsetSize);
        if (unit) {
          this.units.push(unit);
          rangeCount += unit.ranges.length;
        }
      } catch {
        // a damaged header: skip to the next unit, which the length still finds
      }
      c.pos = end;
    }
    this.unitRanges = this.units.flatMap((unit) => unit.ranges.map(([lo, hi]) => ({ lo, hi, unit }))).sort((a, b) => a.lo - b.lo);
  }

  private unitHeader(c: Cursor, offset: number, end: number, offsetSize: number): Unit | undefined {
    const version = c.u16();
    if (version < 2 || version > 5) return undefined;
    let addressSize: number;
    let abbrevOffset: number;
    if (version >= 5) {
      const unitType = c.u8();
      addressSize = c.u8();
      abbrevOffset = c.sized(offsetSize);
      if (unitType !== 1 && unitType !== 3) return undefined; // compile and partial units only
    } else {
      abbrevOffset = c.sized(offsetSize);
      addressSize = c.u8();
    }
    if (addressSize !== 4 && addressSize !== 8) return undefined;
    const unit: Unit = {
      offset,
      end,
      version,
      addressSize,
      offsetSize,
      firstEntry: c.pos,
      abbrevs: this.abbrevsAt(abbrevOffset),
      ranges: [],
      base: 0,
    };
    const top = this.entryAt(unit, unit.firstEntry);
    if (!top || (top.tag !== TAG_COMPILE_UNIT && top.tag !== TAG_PARTIAL_UNIT)) return undefined;
    const num = (name: number): number | undefined => {
      const v = top.attrs.get(name)?.value;
      return typeof v === 'number' ? v : undefined;
    };
    unit.strOffsetsBase = num(AT_STR_OFFSETS_BASE);
    unit.addrBase = num(AT_ADDR_BASE) ?? num(AT_GNU_ADDR_BASE);
    unit.rnglistsBase = num(AT_RNGLISTS_BASE) ?? num(AT_GNU_RANGES_BASE);
    const low = top.attrs.get(AT_LOW_PC);
    unit.base = low ? (this.address(unit, low.form, low.value) ?? 0) : 0;
    unit.ranges = this.rangesOf(unit, top);
    return unit;
  }

  private abbrevsAt(offset: number): Map<number, Abbrev> {
    let table = this.abbrevTables.get(offset);
    if (!table) {
      table = readAbbrevs(this.abbrev, offset, this.abbreviationsLeft);
      this.abbreviationsLeft -= table.size;
      this.abbrevTables.set(offset, table);
    }
    return table;
  }

  /** Every subprogram and inlined subroutine of the unit with its address ranges and nesting depth. */
  private scopesOf(unit: Unit): Scope[] {
    if (unit.scopes) return unit.scopes;
    const scopes: Scope[] = [];
    unit.scopes = scopes;
    if (unit.damaged) return scopes;
    try {
      const c = new Cursor(this.info, unit.firstEntry, unit.end);
      let depth = 0;
      for (let n = 0; c.pos < unit.end && n < MAX_ENTRIES_PER_UNIT; n++) {
        const at = c.pos;
        const entry = this.readEntry(unit, c);
        if (!entry) {
          if (--depth <= 0) break;
          continue;
        }
        if (entry.tag === TAG_SUBPROGRAM || entry.tag === TAG_INLINED_SUBROUTINE) {
          const ranges = this.rangesOf(unit, entry);
          if (ranges.length > 0) scopes.push({ inlined: entry.tag === TAG_INLINED_SUBROUTINE, depth, ranges, entry: at });
        }
        if (entry.children) depth++;
      }
    } catch {
      unit.damaged = true;
      scopes.length = 0;
    }
    return scopes;
  }

  private entryAt(unit: Unit, at: number): Entry | undefined {
    if (at < unit.firstEntry || at >= unit.end) return undefined;
    return this.readEntry(unit, new Cursor(this.info, at, unit.end));
  }

  /** One entry at the cursor, or undefined for the null entry that closes a list of children. */
  private readEntry(unit: Unit, c: Cursor): Entry | undefined {
    const code = c.uleb();
    if (code === 0) return undefined;
    const abbrev = unit.abbrevs.get(code);
    if (!abbrev) throw new DwarfError('an entry with an unknown abbreviation');
    const attrs = new Map<number, { form: number; value: Value }>();
    for (const spec of abbrev.specs) {
      const value = readValue(c, spec.form, unit, spec.implicit, 0);
      attrs.set(spec.name, value);
    }
    return { tag: abbrev.tag, children: abbrev.children, attrs };
  }

  private address(unit: Unit, form: number, value: Value): number | undefined {
    if (typeof value !== 'number') return undefined;
    if (form === 0x01) return value; // DW_FORM_addr
    if (ADDRX_FORMS.has(form)) {
      if (!this.addr || unit.addrBase === undefined) return undefined;
      const at = unit.addrBase + value * unit.addressSize;
      if (at + unit.addressSize > this.addr.length) return undefined;
      return new Cursor(this.addr, at).sized(unit.addressSize);
    }
    return undefined;
  }

  private rangesOf(unit: Unit, entry: Entry): Array<[number, number]> {
    const low = entry.attrs.get(AT_LOW_PC);
    const high = entry.attrs.get(AT_HIGH_PC);
    if (low && high) {
      const lo = this.address(unit, low.form, low.value);
      if (lo === undefined || typeof high.value !== 'number') return [];
      const hi = high.form === 0x01 || ADDRX_FORMS.has(high.form) ? this.address(unit, high.form, high.value) : lo + high.value;
      return hi !== undefined && hi > lo ? [[lo, hi]] : [];
    }
    const ranges = entry.attrs.get(AT_RANGES);
    if (!ranges || typeof ranges.value !== 'number') return [];
    try {
      return unit.version >= 5 ? this.rangeList(unit, ranges.form, ranges.value) : this.rangesV4List(unit, ranges.value);
    } catch {
      return [];
    }
  }

  private rangesV4List(unit: Unit, offset: number): Array<[number, number]> {
    if (!this.rangesV4) return [];
    const c = new Cursor(this.rangesV4, offset);
    const out: Array<[number, number]> = [];
    const maxAddress = unit.addressSize === 8 ? Number.MAX_SAFE_INTEGER : 0xffffffff;
    let base = unit.base;
    while (out.length < MAX_RANGES) {
      const start = c.sized(unit.addressSize);
      const end = c.sized(unit.addressSize);
      if (start === 0 && end === 0) break;
      if (start === maxAddress) base = end;
      else if (end > start) out.push([base + start, base + end]);
    }
    return out;
  }

  private rangeList(unit: Unit, form: number, value: number): Array<[number, number]> {
    if (!this.rnglists) return [];
    let offset = value;
    if (form === 0x23) {
      // DW_FORM_rnglistx: an index into the offsets after rnglists_base
      if (unit.rnglistsBase === undefined) return [];
      const at = unit.rnglistsBase + value * unit.offsetSize;
      offset = unit.rnglistsBase + new Cursor(this.rnglists, at).sized(unit.offsetSize);
    }
    const c = new Cursor(this.rnglists, offset);
    const out: Array<[number, number]> = [];
    let base = unit.base;
    const addrx = (index: number): number => {
      const a = this.address(unit, 0x1b, index);
      if (a === undefined) throw new DwarfError('an address index without .debug_addr');
      return a;
    };
    for (let n = 0; n < MAX_RANGES; n++) {
      const kind = c.u8();
      if (kind === 0) break; // end_of_list
      let lo: number;
      let hi: number;
      switch (kind) {
        case 1:
          base = addrx(c.uleb());
          continue; // base_addressx
        case 2:
          lo = addrx(c.uleb());
          hi = addrx(c.uleb());
          break; // startx_endx
        case 3:
          lo = addrx(c.uleb());
          hi = lo + c.uleb();
          break; // startx_length
        case 4:
          lo = base + c.uleb();
          hi = base + c.uleb();
          break; // offset_pair
        case 5:
          base = c.sized(unit.addressSize);
          continue; // base_address
        case 6:
          lo = c.sized(unit.addressSize);
          hi = c.sized(unit.addressSize);
          break; // start_end
        case 7:
          lo = c.sized(unit.addressSize);
          hi = lo + c.uleb();
          break; // start_length
        default:
          throw new DwarfError(`a range list entry of kind ${kind}`);
      }
      if (hi > lo) out.push([lo, hi]);
    }
    return out;
  }

  /** The name of the entry at `at`, through abstract_origin and specification references. */
  private nameOf(unit: Unit, at: number): string | undefined {
    const cached = this.names.get(at);
    if (cached !== undefined) return cached ?? undefined;
    let name: string | undefined;
    try {
      let current: { unit: Unit; at: number } | undefined = { unit, at };
      for (let hop = 0; current && hop < MAX_REFERENCE_HOPS && name === undefined; hop++) {
        const entry = this.entryAt(current.unit, current.at);
        if (!entry) break;
        const named = entry.attrs.get(AT_NAME);
        if (named) {
          name = this.string(current.unit, named.form, named.value);
          break;
        }
        const ref = entry.attrs.get(AT_ABSTRACT_ORIGIN) ?? entry.attrs.get(AT_SPECIFICATION);
        current = ref ? this.referenced(current.unit, ref.form, ref.value) : undefined;
      }
    } catch {
      name = undefined;
    }
    const kept = name !== undefined && PRINTABLE.test(name) && name.length <= 1024 ? name : undefined;
    this.names.set(at, kept ?? null);
    return kept;
  }

  private referenced(unit: Unit, form: number, value: Value): { unit: Unit; at: number } | undefined {
    if (typeof value !== 'number') return undefined;
    if (form === 0x10) {
      // DW_FORM_ref_addr: an offset in .debug_info
      const owner = this.units.find((u) => value >= u.firstEntry && value < u.end);
      return owner ? { unit: owner, at: value } : undefined;
    }
    if (form >= 0x11 && form <= 0x15) return { unit, at: unit.offset + value }; // ref1..ref8, ref_udata
    return undefined;
  }

  private string(unit: Unit, form: number, value: Value): string | undefined {
    if (typeof value === 'string') return value;
    if (typeof value !== 'number') return undefined;
    if (form === 0x0e) return this.str && cString(this.str, value, 1024); // strp
    if (form === 0x1f) return this.lineStr && cString(this.lineStr, value, 1024); // line_strp
    if (STRX_FORMS.has(form)) {
      if (!this.strOffsets || !this.str || unit.strOffsetsBase === undefined) return undefined;
      const at = unit.strOffsetsBase + value * unit.offsetSize;
      if (at + unit.offsetSize > this.strOffsets.length) return undefined;
      return cString(this.str, new Cursor(this.strOffsets, at).sized(unit.offsetSize), 1024);
    }
    return undefined;
  }
}

const ADDRX_FORMS = new Set([0x1b, 0x29, 0x2a, 0x2b, 0x2c, 0x1f01]);
const STRX_FORMS = new Set([0x1a, 0x25, 0x26, 0x27, 0x28, 0x1f02]);

function readAbbrevs(buf: Buffer, offset: number, max: number): Map<number, Abbrev> {
  const abbrevs = new Map<number, Abbrev>();
  const c = new Cursor(buf, offset);
  for (;;) {
    const code = c.uleb();
    if (code === 0) break;
    const tag = c.uleb();
    const children = c.u8() !== 0;
    const specs: AttributeSpec[] = [];
    for (;;) {
      const name = c.uleb();
      const form = c.uleb();
      if (name === 0 && form === 0) break;
      specs.push({ name, form, implicit: form === 0x21 ? c.sleb() : 0 });
      if (specs.length > 1024) throw new DwarfError('an abbreviation with over 1024 attributes');
    }
    abbrevs.set(code, { tag, children, specs });
    if (abbrevs.size > max) throw new DwarfError('more abbreviations than apitrace reads');
  }
  return abbrevs;
}

/** Reads (or skips) one attribute value of the given form. */
function readValue(c: Cursor, form: number, unit: Unit, implicit: number, depth: number): { form: number; value: Value } {
  const off = unit.offsetSize;
  switch (form) {
    case 0x01:
      return { form, value: c.sized(unit.addressSize) }; // addr
    case 0x03:
      c.skip(c.u16());
      return { form, value: undefined }; // block2
    case 0x04:
      c.skip(c.u32());
      return { form, value: undefined }; // block4
    case 0x05:
      return { form, value: c.u16() }; // data2
    case 0x06:
      return { form, value: c.u32() }; // data4
    case 0x07:
      return { form, value: c.u64() }; // data8
    case 0x08:
      return { form, value: c.cstring() }; // string
    case 0x09:
      c.skip(c.uleb());
      return { form, value: undefined }; // block
    case 0x0a:
      c.skip(c.u8());
      return { form, value: undefined }; // block1
    case 0x0b:
      return { form, value: c.u8() }; // data1
    case 0x0c:
      return { form, value: c.u8() }; // flag
    case 0x0d:
      return { form, value: c.sleb() }; // sdata
    case 0x0e:
      return { form, value: c.sized(off) }; // strp
    case 0x0f:
      return { form, value: c.uleb() }; // udata
    case 0x10:
      return { form, value: c.sized(unit.version <= 2 ? unit.addressSize : off) }; // ref_addr
    case 0x11:
      return { form, value: c.u8() }; // ref1
    case 0x12:
      return { form, value: c.u16() }; // ref2
    case 0x13:
      return { form, value: c.u32() }; // ref4
    case 0x14:
      return { form, value: c.u64() }; // ref8
    case 0x15:
      return { form, value: c.uleb() }; // ref_udata
    case 0x16: {
      // indirect
      if (depth > 2) throw new DwarfError('nested indirect forms');
      return readValue(c, c.uleb(), unit, implicit, depth + 1);
    }
    case 0x17:
      return { form, value: c.sized(off) }; // sec_offset
    case 0x18:
      c.skip(c.uleb());
      return { form, value: undefined }; // exprloc
    case 0x19:
      return { form, value: 1 }; // flag_present
    case 0x1a:
      return { form, value: c.uleb() }; // strx
    case 0x1b:
      return { form, value: c.uleb() }; // addrx
    case 0x1c:
      c.skip(4);
      return { form, value: undefined }; // ref_sup4
    case 0x1d:
      c.skip(off);
      return { form, value: undefined }; // strp_sup
    case 0x1e:
      c.skip(16);
      return { form, value: undefined }; // data16
    case 0x1f:
      return { form, value: c.sized(off) }; // line_strp
    case 0x20:
      c.skip(8);
      return { form, value: undefined }; // ref_sig8
    case 0x21:
      return { form, value: implicit }; // implicit_const
    case 0x22:
      return { form, value: c.uleb() }; // loclistx
    case 0x23:
      return { form, value: c.uleb() }; // rnglistx
    case 0x24:
      c.skip(8);
      return { form, value: undefined }; // ref_sup8
    case 0x25:
    case 0x29:
      return { form, value: c.u8() }; // strx1, addrx1
    case 0x26:
    case 0x2a:
      return { form, value: c.u16() }; // strx2, addrx2
    case 0x27:
    case 0x2b:
      return { form, value: c.u24() }; // strx3, addrx3
    case 0x28:
    case 0x2c:
      return { form, value: c.u32() }; // strx4, addrx4
    case 0x1f01:
    case 0x1f02:
      return { form, value: c.uleb() }; // GNU_addr_index, GNU_str_index
    case 0x1f20:
    case 0x1f21:
      c.skip(off);
      return { form, value: undefined }; // GNU_ref_alt, GNU_strp_alt: another file
    default:
      throw new DwarfError(`an attribute of unknown form 0x${form.toString(16)}`);
  }
}
