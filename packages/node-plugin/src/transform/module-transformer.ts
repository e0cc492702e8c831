// What both load paths (the ESM `load` hook and the CommonJS compile hook) call: the cached
// probe transform of one file, or the file untouched with the reason when it cannot be done.
import { instrument } from './instrument.js';
import { TransformUnavailable } from './off-thread-instrument.js';
import type { ModuleFormat } from './instrument.js';
import { TransformCache } from './transform-cache.js';

/** Part of every cache key: bump the revision whenever the transform's output changes. */
export const TRANSFORM_VERSION = '0.1.0+splice.3';

/** Files larger than this are loaded untouched: babel would stall start-up on minified bundles. */
export const MAX_TRANSFORM_BYTES = 4 * 1024 * 1024;

export type TransformOutcome =
  | { status: 'transformed'; code: string; cached: boolean }
  | { status: 'untouched'; code: string; reason: string; code_name: 'transform_failed' | 'transform_skipped' };

export class ModuleTransformer {
  /** `run` does the transform itself: in this thread, or on the transform thread. */
  constructor(
    private readonly cache: TransformCache,
    private readonly run: (source: string, format: ModuleFormat, filename: string) => { code: string } = instrument,
  ) {}

  transform(source: string, filename: string, format: ModuleFormat): TransformOutcome {
    if (source.length > MAX_TRANSFORM_BYTES) {
      return { status: 'untouched', code: source, reason: `larger than ${MAX_TRANSFORM_BYTES} bytes; loaded untouched`, code_name: 'transform_skipped' };
    }
    const base = filename.slice(filename.lastIndexOf('/') + 1);
    const key = TransformCache.keyOf([TRANSFORM_VERSION, format, base], source);
    const hit = this.cache.get(key);
    if (hit !== undefined) return { status: 'transformed', code: hit, cached: true };
    // a file that failed once fails again: remembered, so a warm start never loads babel
    const failed = this.cache.failure(key);
    if (failed !== undefined) return { status: 'untouched', code: source, reason: failed, code_name: 'transform_failed' };
    try {
      const { code } = this.run(source, format, filename);
      this.cache.put(key, code);
      return { status: 'transformed', code, cached: false };
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      const reason = `could not transform (${why}); loaded untouched`;
      // only what the file itself causes is remembered; a busy or dead transform thread is not
      if (!(err instanceof TransformUnavailable)) this.cache.putFailure(key, reason);
      return { status: 'untouched', code: source, reason, code_name: 'transform_failed' };
    }
  }
}
