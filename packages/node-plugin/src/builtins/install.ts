// Applies the built-in definitions table (definitions.ts) to the built-in modules, then re-syncs
// their ESM named exports so `import { readFileSync } from 'node:fs'` sees the same recording
// function as `require('fs').readFileSync`.
//
// The expensive modules are patched when the application loads them, never loaded by us: http,
// https, http2, dns, tls and zlib cost tens of milliseconds of start-up together. The rest, and
// whatever the process loaded before us, are patched at once. Later ones are patched as soon as
// they are seen loaded: immediately for `require` (the package-file hook tells us), and for ESM
// `import` at the next check of process.moduleLoadList, made at every attributed call, every
// HTTP request the web inventory sees, and every flush.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { nowNs, type Recorder } from '../runtime/index.js';
import { patchMethod, recordingConstructor, setAttributedCallHook } from './api-wrapper.js';
import { BUILTIN_CLASSES, BUILTIN_PATCHES, NOT_INSTRUMENTED } from './definitions.js';

const require = createRequire(import.meta.url);

/**
 * Modules cheap enough to load and patch at start, so that even their first call from an ESM
 * module that imported them is recorded. The others (http, https, http2, dns, tls, zlib: the
 * expensive ones) are patched once seen loaded; a call before that is not recorded (the web
 * inventory still counts HTTP requests: it needs no patching).
 */
const AT_START = new Set(['global', 'fs', 'child_process', 'net', 'dgram', 'vm', 'worker_threads', 'crypto']);

/** Node's list of the internal and built-in modules loaded so far (undocumented, stable since v0.x). */
const moduleLoadList = (): readonly string[] => (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [];

function loadedBuiltins(): Set<string> {
  const loaded = new Set<string>();
  for (const entry of moduleLoadList()) if (entry.startsWith('NativeModule ')) loaded.add(entry.slice('NativeModule '.length));
  return loaded;
}

export class BuiltinPatcher {
  private readonly pending = new Set<string>();
  private seenLoadList = -1;
  readonly skipped: string[] = [];
  patched = 0;

  constructor(private readonly recorder: Recorder) {
    for (const p of BUILTIN_PATCHES) this.pending.add(p.module);
    for (const c of BUILTIN_CLASSES) this.pending.add(c.module);
  }

  /** Patches what is loaded (and the start-up set); the rest waits for check(). */
  start(): void {
    const loaded = loadedBuiltins();
    for (const module of [...this.pending]) if (AT_START.has(module) || loaded.has(module)) this.patchModule(module);
    this.sync();
  }

  /** Patches modules the application has loaded since the last check. Cheap when nothing changed. */
  check(): void {
    const length = moduleLoadList().length;
    if (this.pending.size === 0 || length === this.seenLoadList) return;
    this.seenLoadList = length;
    const loaded = loadedBuiltins();
    let any = false;
    for (const module of [...this.pending]) {
      if (loaded.has(module)) {
        this.patchModule(module);
        any = true;
      }
    }
    if (any) this.sync();
  }

  /** The modules still waiting, for the package-file hook (require of a built-in). */
  get waitingFor(): string[] {
    return [...this.pending];
  }

  private sync(): void {
    try {
      syncBuiltinESMExports();
    } catch {
      this.recorder.fault();
    }
  }

  private patchModule(module: string): void {
    this.pending.delete(module);
    let exports: any;
    try {
      exports = module === 'global' ? undefined : require(`node:${module}`);
    } catch {
      exports = undefined;
    }
    for (const patch of BUILTIN_PATCHES) {
      if (patch.module !== module) continue;
      let target: object | undefined;
      try {
        target = patch.target ? patch.target(exports) : exports;
      } catch {
        target = undefined;
      }
      for (const name of patch.names) {
        const api = `${patch.prefix}${name}`;
        if (target !== undefined && patchMethod(this.recorder, target, name, { api, ...patch.define(name) })) this.patched++;
        else this.skipped.push(api);
      }
    }
    for (const cls of BUILTIN_CLASSES) {
      if (cls.module !== module) continue;
      try {
        const d = Object.getOwnPropertyDescriptor(exports, cls.name);
        if (d && typeof d.value === 'function' && (d.writable || d.configurable)) {
          Object.defineProperty(exports, cls.name, { ...d, value: recordingConstructor(this.recorder, { api: cls.api, ...cls.define() }, d.value) });
          this.patched++;
        } else this.skipped.push(cls.api);
      } catch {
        this.skipped.push(cls.api);
      }
    }
  }
}

let patcher: BuiltinPatcher | undefined;

/** Checks for newly loaded built-ins (called from the recording path and at every flush). */
export function checkLoadedBuiltins(): void {
  patcher?.check();
}

export function installBuiltinRecorders(recorder: Recorder): BuiltinPatcher {
  patcher = new BuiltinPatcher(recorder);
  patcher.start();
  recorder.onFlush(checkLoadedBuiltins);
  setAttributedCallHook(checkLoadedBuiltins);
  const t = nowNs();
  for (const n of NOT_INSTRUMENTED) {
    recorder.write({ kind: 'notice', level: 'info', code: 'not_instrumented', message: n.why, subject: n.subject, t });
  }
  const reportSkipped = (): void => {
    if (patcher && patcher.skipped.length > 0) {
      recorder.write({
        kind: 'notice',
        level: 'info',
        code: 'builtin_not_patched',
        message: `absent or not patchable in Node ${process.versions.node}: ${patcher.skipped.join(', ')}`,
        count: patcher.skipped.length,
        t: nowNs(),
      });
    }
  };
  recorder.onExit(reportSkipped);
  return patcher;
}
