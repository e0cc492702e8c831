// Names native frames offline. The shim records a frame as a code unit (its path, whose
// code_unit record gives the GNU build-id) and the offset of a return address in it (docs/
// native-shim.md, Calling sites); it looks nothing up in the process. Here the unit's ELF file is
// opened, its build-id compared with the recorded one (a file replaced since the run, or another
// machine's, names nothing), and the offset looked up in its symbol tables (.symtab, .dynsym) and,
// for a binary built with -g, in its DWARF for the functions inlined there. A frame that cannot be
// named keeps fn '?' with its unit and offset, which a symbol server can name later from the
// build-id. Each file is read once and each distinct (file, offset) looked up once.
import type { Frame } from '../schema/events.generated.js';
import { ElfFile } from './elf-file.js';
import { FunctionSymbols } from './elf-symbols.js';
import { InlinedFunctions } from './dwarf-inlines.js';

/** Files whose symbols are kept at once; the oldest is dropped (and read again if needed). */
const MAX_FILES = 256;
/** Sites whose names are kept. */
const MAX_SITES = 200_000;
/** Debug information kept in memory over all files; files beyond it are named from their symbol tables only. */
const MAX_DWARF_BYTES = 256 * 1024 * 1024;
const OFFSET = /^0x[0-9a-f]{1,13}$/;

interface UnitSymbols {
  functions: FunctionSymbols;
  inlines?: InlinedFunctions;
}

/** What a run's symbolising found, for tests and for measuring. */
export interface SymbolizerStats {
  filesRead: number;
  /** unreadable, not ELF, no build-id, or a build-id other than the recorded one */
  filesRefused: number;
  sitesNamed: number;
  sitesUnnamed: number;
}

export class NativeSymbolizer {
  private readonly files = new Map<string, UnitSymbols | null>();
  private readonly sites = new Map<string, readonly string[] | null>();
  private dwarfBytes = 0;
  readonly stats: SymbolizerStats = { filesRead: 0, filesRefused: 0, sitesNamed: 0, sitesUnnamed: 0 };

  /**
   * The functions at a recorded return-address offset (`0x...`) of a unit, innermost first:
   * the functions inlined there, then the function that holds it. Undefined when unnamed.
   */
  namesAt(path: string, buildId: string | undefined, addr: string): readonly string[] | undefined {
    if (buildId === undefined || !OFFSET.test(addr) || !path.startsWith('/')) return undefined;
    const key = `${path}\0${buildId}\0${addr}`;
    const cached = this.sites.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const names = this.lookUp(path, buildId, Number.parseInt(addr.slice(2), 16));
    if (this.sites.size < MAX_SITES) this.sites.set(key, names ?? null);
    if (names) this.stats.sitesNamed++;
    else this.stats.sitesUnnamed++;
    return names;
  }

  /**
   * The frames with names: a native frame `{fn: '?', unit, addr}` becomes one frame per function
   * at that address (inlined ones first, all with the same unit and addr). The same array when
   * nothing could be named.
   */
  nameFrames(frames: readonly Frame[], buildIdOf: (unit: string) => string | undefined): readonly Frame[] {
    let named: Frame[] | undefined;
    frames.forEach((frame, i) => {
      const names = frame.lang === 'native' && frame.fn === '?' && frame.unit !== undefined && frame.addr !== undefined
        ? this.namesAt(frame.unit, buildIdOf(frame.unit), frame.addr)
        : undefined;
      if (!names) {
        named?.push(frame);
        return;
      }
      named ??= frames.slice(0, i);
      for (const fn of names) named.push({ ...frame, fn });
    });
    return named ?? frames;
  }

  private lookUp(path: string, buildId: string, returnOffset: number): string[] | undefined {
    const unit = this.unitSymbols(path, buildId);
    // a return address is the instruction after the call: one byte back is inside the call,
    // which matters when the call is the last instruction of its function
    const offset = returnOffset - 1;
    if (!unit || offset < 0) return undefined;
    const fn = unit.functions.functionAt(offset);
    const inlined = unit.inlines?.inlinedAt(offset) ?? [];
    if (fn === undefined && inlined.length === 0) return undefined;
    return fn === undefined ? inlined : [...inlined, fn];
  }

  private unitSymbols(path: string, buildId: string): UnitSymbols | undefined {
    const key = `${path}\0${buildId}`;
    const cached = this.files.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const read = this.readUnit(path, buildId);
    if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value!);
    this.files.set(key, read ?? null);
    if (read) this.stats.filesRead++;
    else this.stats.filesRefused++;
    return read;
  }

  private readUnit(path: string, buildId: string): UnitSymbols | undefined {
    let elf: ElfFile;
    try {
      elf = ElfFile.open(path);
    } catch {
      return undefined; // gone, not a regular file, not ELF: the frame stays unnamed
    }
    try {
      if (elf.buildId() !== buildId) return undefined;
      const functions = FunctionSymbols.read(elf);
      let inlines: InlinedFunctions | undefined;
      if (this.dwarfBytes < MAX_DWARF_BYTES) {
        inlines = InlinedFunctions.read(elf, MAX_DWARF_BYTES - this.dwarfBytes);
        this.dwarfBytes += inlines?.bytes ?? 0;
      }
      return { functions, ...(inlines ? { inlines } : {}) };
    } catch {
      return undefined;
    } finally {
      elf.close();
    }
  }
}
