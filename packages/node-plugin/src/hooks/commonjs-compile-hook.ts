// CommonJS files never reach the ESM hooks on Node 20, so their probes go in on the compile
// path: Module.prototype._compile receives every CommonJS file's source, whoever loaded it
// (require, the ESM loader's CommonJS translator, a TypeScript register hook before us), and
// the source of ES modules loaded by require() (Node >= 20.19).
import Module from 'node:module';
import type { ModuleTransformer, TransformOutcome } from '../transform/module-transformer.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

export interface CompileObserver {
  /** Every CommonJS file compiled, whether it was transformed or not. */
  compiled(filename: string, outcome: TransformOutcome | undefined): void;
  shouldProbe(filename: string): boolean;
  /** Before any of it runs: what the source may load must be hooked by then. */
  willCompile(content: string, filename: string, format: 'module' | 'commonjs'): void;
}

/** Runs the plugin's own work (reading the cache) so the built-in recorders do not count it. */
export type OwnWork = <T>(work: () => T, fallback: T) => T;

export function installCompileHook(transformer: ModuleTransformer, ownWork: OwnWork, observer: CompileObserver): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  // The plugin's own lazily loaded dependencies (babel on a cache miss) compile while a
  // transform is running: those are ours, not the application's, and stay untouched.
  let transforming = false;
  proto._compile = function compileWithProbes(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    let code = content;
    if (!transforming && typeof content === 'string' && typeof filename === 'string') {
      transforming = true;
      try {
        code = ownWork(() => {
          let outcome: TransformOutcome | undefined;
          // Node >= 20.19 compiles an ES module loaded by require() here too, saying so in `format`.
          const format = rest[0] === 'module' ? 'module' : 'commonjs';
          observer.willCompile(content, filename, format);
          if (observer.shouldProbe(filename)) outcome = transformer.transform(content, filename, format);
          observer.compiled(filename, outcome);
          return outcome?.code ?? content;
        }, content); // our bug must not become the application's
      } finally {
        transforming = false;
      }
    }
    return original.call(this, code, filename, ...rest);
  };
}
