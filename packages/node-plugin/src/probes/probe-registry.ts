// The probes' side of the contract with transformed code: each probed file registers itself and
// gets the hit array its probes count into: a CommonJS file when its body starts, an ES module
// the first time one of its functions runs. The function table stays a JSON string until an
// inventory is written.
import { fileURLToPath } from 'node:url';
import { REGISTRY_SYMBOL } from '../transform/instrument.js';
import type { FunctionSite } from '../transform/probe-sites.js';

export interface ProbedFile {
  /** Absolute path of the file. */
  path: string;
  hits: Uint32Array;
  sites(): FunctionSite[];
  /** Hits already written in an inventory record; undefined until the first record. */
  reported: Uint32Array | undefined;
}

export class ProbeRegistry {
  readonly files: ProbedFile[] = [];

  /** Called by transformed code: `locator` is import.meta.url (ESM) or __filename (CommonJS). */
  register(locator: string, table: string, count: number): Uint32Array {
    const hits = new Uint32Array(count);
    let path = locator;
    if (locator.startsWith('file:')) {
      try {
        path = fileURLToPath(locator);
      } catch {
        // keep the URL: still names the file
      }
    }
    let sites: FunctionSite[] | undefined;
    this.files.push({
      path,
      hits,
      sites: () => (sites ??= JSON.parse(table) as FunctionSite[]),
      reported: undefined,
    });
    return hits;
  }

  /** Makes this registry the one transformed code of this thread finds. */
  install(): void {
    Object.defineProperty(globalThis, Symbol.for(REGISTRY_SYMBOL), {
      value: { register: this.register.bind(this) },
      enumerable: false,
      configurable: true,
      writable: false,
    });
  }
}
