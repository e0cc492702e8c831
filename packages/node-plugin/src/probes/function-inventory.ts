// Turns the probes' hit arrays into function_inventory records: per file, unit = the owning
// package's root (the app's own files: the directory of its nearest package.json) and scope =
// the file relative to it. The first record of a file lists every function; later ones only
// those that ran since (records for the same unit and scope merge: ran ORed, hits summed).
import { relative } from 'node:path';
import { codeUnitOf, nowNs, type Recorder } from '../runtime/index.js';
import type { ProbeRegistry } from './probe-registry.js';

interface InventoryFunction {
  name: string;
  line: number;
  col: number;
  ran: boolean;
  hits: number;
}

export function writeFunctionInventory(registry: ProbeRegistry, recorder: Recorder): void {
  const t = nowNs();
  for (const file of registry.files) {
    const hits = file.hits;
    const before = file.reported;
    // a CommonJS file registers when loaded: none of its functions ran yet is no record, as for an
    // ES module (registered by its first probe)
    if (before === undefined ? hits.every((h) => h === 0) : hits.every((h, i) => h === before[i])) continue;
    const sites = file.sites();
    const functions: InventoryFunction[] = [];
    for (let i = 0; i < sites.length; i++) {
      const [name, line, col] = sites[i]!;
      const delta = (hits[i]! - (before?.[i] ?? 0)) >>> 0; // a Uint32 counter may wrap
      if (before !== undefined && delta === 0) continue;
      functions.push({ name, line, col, ran: delta > 0, hits: delta });
    }
    file.reported = hits.slice();
    const unit = codeUnitOf(file.path);
    recorder.write({ kind: 'function_inventory', t, unit, scope: relative(unit, file.path), loaded: true, functions });
  }
}
