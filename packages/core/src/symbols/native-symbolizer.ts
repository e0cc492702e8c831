// Names native frames offline. The shim records a frame as a code unit (its path, whose
// code_unit record gives the GNU build-id) and the offset of a return address in it (docs/
// native-shim.md, Calling sites); it looks nothing up in the process. Here, once the whole run is
// read and every distinct site known, each unit's ELF file is opened once, its build-id compared
// with the recorded one (a file replaced since the run, or another machine's, names nothing), and
// its sites looked up in its symbol tables (.symtab, .dynsym) and, for a binary built with -g, in
// its DWARF for the functions inlined there. A frame that cannot be named keeps fn '?' with its
// unit and offset, which a symbol server can name later from the build-id.
import type { Frame } from '../schema/events.generated.js';
import { ElfFile } from './elf-file.js';
import { FunctionSymbols } from './elf-symbols.js';
import { InlinedFunctions } from './dwarf-inlines.js';

/** Debug information read over all files; files beyond it are named from their symbol tables only. */
const MAX_DWARF_BYTES = 256 * 1024 * 1024;
/** Distinct sites kept per unit, and units: the shim writes at most 4096 sites per file. */
export const MAX_SITES_PER_UNIT = 65_536;
export const MAX_SITE_UNITS = 4096;
const OFFSET = /^0x[0-9a-f]{1,13}$/;

/** The native sites of one unit seen in a run: the build-ids it was recorded with and its offsets. */
export interface UnitSites {
  buildIds: Set<string>;
  addrs: Set<string>;
}

/** unit path -> its sites, as the run collector gathers them from stack records. */
export type NativeSites = Map<string, UnitSites>;

/** `unit\0addr` -> the functions there, innermost first. */
export type SiteNames = ReadonlyMap<string, readonly string[]>;

export const siteKey = (unit: string, addr: string): string => `${unit}\0${addr}`;

/** Adds one recorded site (`buildId` undefined: its unit's code_unit record gave none). */
export function addSite(sites: NativeSites, unit: string, buildId: string | undefined, addr: string): void {
  let unitSites = sites.get(unit);
  if (!unitSites) {
    if (sites.size >= MAX_SITE_UNITS) return;
    unitSites = { buildIds: new Set(), addrs: new Set() };
    sites.set(unit, unitSites);
  }
  unitSites.buildIds.add(buildId ?? '');
  if (unitSites.addrs.size < MAX_SITES_PER_UNIT) unitSites.addrs.add(addr);
}

/** Adds the sites another collector gathered (a worker's share of the run). */
export function mergeSites(into: NativeSites, from: NativeSites): void {
  for (const [unit, sites] of from) {
    let mine = into.get(unit);
    if (!mine) {
      if (into.size >= MAX_SITE_UNITS) continue;
      mine = { buildIds: new Set(), addrs: new Set() };
      into.set(unit, mine);
    }
    sites.buildIds.forEach((id) => mine!.buildIds.add(id));
    for (const addr of sites.addrs) if (mine.addrs.size < MAX_SITES_PER_UNIT) mine.addrs.add(addr);
  }
}

/** What naming a run's sites found, for tests and for measuring. */
export interface SymbolizerStats {
  filesRead: number;
  /** unreadable, not ELF, no build-id, or a build-id other than the recorded one */
  filesRefused: number;
  /** recorded with no build-id, or with several (the file changed during the run): not named */
  unitsUnchecked: number;
  sitesNamed: number;
  sitesUnnamed: number;
}

/**
 * Names every site of the run, reading each unit's file once and keeping only what names a
 * site. A unit recorded with several build-ids (rebuilt during the run) is not named: which of
 * its frames came from which build is no longer known.
 */
export function nameSites(sites: NativeSites, stats?: SymbolizerStats): Map<string, readonly string[]> {
  const names = new Map<string, readonly string[]>();
  let dwarfBytes = 0;
  for (const [unit, { buildIds, addrs }] of sites) {
    const [buildId] = buildIds;
    const offsets = [...addrs]
      .filter((a) => OFFSET.test(a))
      .map((a) => ({ addr: a, offset: Number.parseInt(a.slice(2), 16) - 1 }))
      .filter((o) => o.offset >= 0);
    if (buildIds.size !== 1 || !buildId || !unit.startsWith('/')) {
      if (stats) {
        stats.unitsUnchecked++;
        stats.sitesUnnamed += addrs.size;
      }
      continue;
    }
    // a return address is the instruction after the call: one byte back is inside the call,
    // which matters when the call is the last instruction of its function
    const read = readUnit(
      unit,
      buildId,
      offsets.map((o) => o.offset),
      MAX_DWARF_BYTES - dwarfBytes,
    );
    if (stats) {
      if (read) stats.filesRead++;
      else stats.filesRefused++;
    }
    dwarfBytes += read?.inlines?.bytes ?? 0;
    let named = 0;
    for (const { addr, offset } of read ? offsets : []) {
      const fn = read!.functions.functionAt(offset);
      const inlined = read!.inlines?.inlinedAt(offset) ?? [];
      if (fn === undefined && inlined.length === 0) continue;
      names.set(siteKey(unit, addr), fn === undefined ? inlined : [...inlined, fn]);
      named++;
    }
    if (stats) {
      stats.sitesNamed += named;
      stats.sitesUnnamed += addrs.size - named;
    }
  }
  return names;
}

/**
 * The frames with names: a native frame `{fn: '?', unit, addr}` whose site was named becomes one
 * frame per function there (inlined ones first, all with the same unit and addr). The same array
 * when nothing was named.
 */
export function nameFrames<F extends Frame>(frames: readonly F[], names: SiteNames): readonly F[] {
  if (names.size === 0) return frames;
  let named: F[] | undefined;
  frames.forEach((frame, i) => {
    const fns =
      frame.lang === 'native' && frame.fn === '?' && frame.unit !== undefined && frame.addr !== undefined
        ? names.get(siteKey(frame.unit, frame.addr))
        : undefined;
    if (!fns) {
      named?.push(frame);
      return;
    }
    named ??= frames.slice(0, i);
    for (const fn of fns) named.push({ ...frame, fn });
  });
  return named ?? frames;
}

function readUnit(
  path: string,
  buildId: string,
  offsets: readonly number[],
  dwarfBudget: number,
): { functions: FunctionSymbols; inlines?: InlinedFunctions } | undefined {
  let elf: ElfFile;
  try {
    elf = ElfFile.open(path);
  } catch {
    return undefined; // gone, not a regular file, not ELF: its frames stay unnamed
  }
  try {
    if (elf.buildId() !== buildId) return undefined;
    const functions = FunctionSymbols.read(elf, offsets);
    const inlines = dwarfBudget > 0 ? InlinedFunctions.read(elf, dwarfBudget) : undefined;
    return { functions, ...(inlines ? { inlines } : {}) };
  } catch {
    return undefined;
  } finally {
    elf.close();
  }
}
