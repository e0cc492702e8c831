// Applies the built-in definitions table (definitions.ts) to the loaded built-in modules, then
// re-syncs their ESM named exports so `import { readFileSync } from 'node:fs'` sees the same
// recording function as `require('fs').readFileSync`.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { nowNs, type Recorder } from '../runtime/index.js';
import { patchMethod, recordingConstructor } from './api-wrapper.js';
import { BUILTIN_CLASSES, BUILTIN_PATCHES, NOT_INSTRUMENTED } from './definitions.js';

const require = createRequire(import.meta.url);

function builtin(name: string): any {
  return name === 'global' ? undefined : require(`node:${name}`);
}

export interface InstallReport {
  patched: number;
  skipped: string[];
}

export function installBuiltinRecorders(recorder: Recorder): InstallReport {
  const report: InstallReport = { patched: 0, skipped: [] };
  for (const patch of BUILTIN_PATCHES) {
    let target: object | undefined;
    try {
      const exports = builtin(patch.module);
      target = patch.target ? patch.target(exports) : exports;
    } catch {
      target = undefined;
    }
    for (const name of patch.names) {
      const api = `${patch.prefix}${name}`;
      if (target !== undefined && patchMethod(recorder, target, name, { api, ...patch.define(name) })) report.patched++;
      else report.skipped.push(api);
    }
  }
  for (const cls of BUILTIN_CLASSES) {
    try {
      const exports = builtin(cls.module);
      const d = Object.getOwnPropertyDescriptor(exports, cls.name);
      if (d && typeof d.value === 'function' && (d.writable || d.configurable)) {
        Object.defineProperty(exports, cls.name, { ...d, value: recordingConstructor(recorder, { api: cls.api, ...cls.define() }, d.value) });
        report.patched++;
      } else report.skipped.push(cls.api);
    } catch {
      report.skipped.push(cls.api);
    }
  }
  try {
    syncBuiltinESMExports();
  } catch {
    recorder.fault();
  }
  const t = nowNs();
  for (const n of NOT_INSTRUMENTED) {
    recorder.write({ kind: 'notice', level: 'info', code: 'not_instrumented', message: n.why, subject: n.subject, t });
  }
  if (report.skipped.length > 0) {
    recorder.write({ kind: 'notice', level: 'info', code: 'builtin_not_patched', message: `absent or not patchable in Node ${process.versions.node}: ${report.skipped.join(', ')}`, count: report.skipped.length, t });
  }
  return report;
}
