// The probe transform of one file. @babel/core parses it; the probes are spliced into the
// original text (magic-string), never regenerated: no line moves, so file:line in stack traces
// and err.stack stays what it was without us, and columns move only on a line where a probe
// went in before them. An inline source map (unless the file names its own) maps even those.
//
// A probe is a hit count at the entry of a function, after its directive prologue, into H, the
// file's hit array, which I() fetches from the probe registry (or makes, where there is none:
// another realm or thread).
// - CommonJS: `H[n]++`, H a `const` initialised by the file's first statement (after its
//   hashbang and directives): no code of a CommonJS file can run before it, so no probe needs
//   the `H||I()` test, which cost most of a probe in a tight loop (lodash's _.clamp enters five
//   probed functions).
// - ES module: `(H||I())[n]++`, H a `var`, I() a function declaration, both on one line appended
//   at the end of the file: they exist before any code of the module runs, so a function called
//   before the module's body (circular imports) still counts.
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import MagicString from 'magic-string';
import type { NodePath, types as BabelTypes } from '@babel/core';
import { functionName, type FunctionSite } from './probe-sites.js';
import { VISITOR_KEYS } from './visitor-keys.generated.js';

type Babel = typeof import('@babel/core');
type Parser = typeof import('@babel/parser');
type Types = Babel['types'];
type Node = import('@babel/core').types.Node;

/** The file's hit array binding (in an ES module, undefined until the first probe runs). */
export const HITS_BINDING = '__apitrace$h';
export const INIT_BINDING = '__apitrace$i';
/** globalThis[Symbol.for(...)] holds this thread's probe registry (src/probes/probe-registry.ts). */
export const REGISTRY_SYMBOL = 'apitrace.probes';

export type ModuleFormat = 'module' | 'commonjs';

const require = createRequire(import.meta.url);
let babel: Babel | undefined;
function loadBabel(): Babel {
  babel ??= require('@babel/core') as Babel;
  return babel;
}
let parser: Parser | undefined;
function loadParser(): Parser {
  parser ??= require('@babel/parser') as Parser;
  return parser;
}

export class UnprobeableFile extends Error {}

export interface Instrumented {
  code: string;
  functions: FunctionSite[];
}

const OWN_SOURCE_MAP = /^[ \t]*\/\/[#@][ \t]+sourceMappingURL=/m;

/**
 * The probe transform. Most files take the quick way: @babel/parser alone and a walk of the tree
 * in babel traverse's order. A file that may declare one of the names the probes use (found by
 * its text), that the parser rejects, or that has a node the walk does not know, goes the way
 * of @babel/core (parse, traverse, scope), which gives the same probes or the same failure.
 */
export function instrument(source: string, format: ModuleFormat, filename: string): Instrumented {
  if (!mayDeclareProbeNames(source, format)) {
    const quick = instrumentQuickly(source, format, filename);
    if (quick !== undefined) return quick;
  }
  return instrumentWithBabel(source, format, filename);
}

/** The names a probed file must not declare itself: only a file that mentions one can. */
function mayDeclareProbeNames(source: string, format: ModuleFormat): boolean {
  return source.includes('__apitrace$') || (format === 'commonjs' && source.includes('__filename'));
}

/** Type tests of the node types probe-sites.ts asks about: all exact types, none an alias. */
const quickTypes = new Proxy({} as Record<string, (node: unknown) => boolean>, {
  get: (cache, name: string) =>
    (cache[name] ??= (
      (type: string) => (node: unknown) =>
        (node as Node | null | undefined)?.type === type
    )(name.slice(2))),
}) as unknown as Types;

/** The part of babel's NodePath that functionName() reads, over the walk's stack of ancestors. */
interface QuickPath {
  node: Node;
  parent: Node | undefined;
  parentPath: QuickPath | null;
}
function pathAt(stack: Node[], i: number): QuickPath | null {
  if (i < 1) return null; // stack[0] is the File: babel gives Program no parent path
  return {
    node: stack[i]!,
    parent: stack[i - 1],
    get parentPath() {
      return pathAt(stack, i - 1);
    },
  };
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ObjectMethod', 'ClassMethod', 'ClassPrivateMethod']);
class UnknownNode extends Error {}

function instrumentQuickly(source: string, format: ModuleFormat, filename: string): Instrumented | undefined {
  let file: Node;
  try {
    // the options @babel/core's parseSync passes on for the options instrumentWithBabel gives it
    file = loadParser().parse(source, {
      sourceType: filename.endsWith('.mjs') || format === 'module' ? 'module' : 'script',
      plugins: [],
      allowReturnOutsideFunction: format === 'commonjs',
      allowAwaitOutsideFunction: format === 'module',
      errorRecovery: false,
    }) as unknown as Node;
  } catch {
    return undefined; // babel's way says why, in its words
  }
  const out = new MagicString(source);
  const functions: FunctionSite[] = [];
  const stack: Node[] = [];
  const visit = (node: Node): void => {
    const keys = VISITOR_KEYS[node.type];
    if (keys === undefined) throw new UnknownNode(node.type);
    stack.push(node);
    if (FUNCTION_TYPES.has(node.type)) probeFunction(node as BabelTypes.Function, pathAt(stack, stack.length - 1)!);
    for (const key of keys) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        for (const item of child) if (item !== null && typeof item === 'object' && typeof (item as Node).type === 'string') visit(item as Node);
      } else if (child !== null && typeof child === 'object' && typeof (child as Node).type === 'string') {
        visit(child as Node);
      }
    }
    stack.pop();
  };
  const probeFunction = (node: BabelTypes.Function, path: QuickPath): void => {
    const body = node.body;
    if (!node.loc || typeof body.start !== 'number' || typeof body.end !== 'number') return;
    const index = functions.length;
    functions.push([functionName(quickTypes, path as unknown as NodePath<BabelTypes.Function>), node.loc.start.line, node.loc.start.column]);
    spliceProbe(out, body, index, format);
  };
  try {
    visit(file);
  } catch (err) {
    // an unknown node, or a tree too deep for the stack: babel's way decides, in its words
    if (err instanceof UnknownNode || err instanceof RangeError) return undefined;
    throw err;
  }
  return finish(out, source, format, filename, functions, (file as unknown as BabelTypes.File).program);
}

const probe = (index: number, format: ModuleFormat): string =>
  format === 'commonjs' ? `${HITS_BINDING}[${index}]++` : `(${HITS_BINDING}||${INIT_BINDING}())[${index}]++`;

function spliceProbe(out: MagicString, body: BabelTypes.BlockStatement | BabelTypes.Expression, index: number, format: ModuleFormat): void {
  if (body.type === 'BlockStatement') {
    const lastDirective = body.directives.at(-1);
    // After the prologue, so "use strict" stays a directive; the leading ';' ends a
    // directive written without one.
    if (lastDirective?.end != null) out.appendLeft(lastDirective.end, `;${probe(index, format)};`);
    else out.appendLeft(body.start! + 1, `${probe(index, format)};`);
  } else {
    // Concise arrow: stays an expression, so its value, `this` and `arguments` are untouched.
    out.appendLeft(body.start!, `(${probe(index, format)},`);
    out.appendLeft(body.end!, ')');
  }
}

function finish(
  out: MagicString,
  source: string,
  format: ModuleFormat,
  filename: string,
  functions: FunctionSite[],
  program: BabelTypes.Program,
): Instrumented {
  if (functions.length === 0) return { code: source, functions };
  const locator = format === 'module' ? 'import.meta.url' : '__filename';
  const fetch = `globalThis[Symbol.for(${JSON.stringify(REGISTRY_SYMBOL)})]?.register(${locator},${JSON.stringify(JSON.stringify(functions))},${functions.length})??new Uint32Array(${functions.length})`;
  if (format === 'commonjs') {
    // A hashbang must stay first; "use strict" must stay a directive.
    const lastDirective = program.directives.at(-1);
    if (lastDirective?.end != null) out.appendLeft(lastDirective.end, `;const ${HITS_BINDING}=${INIT_BINDING}();`);
    else if (program.interpreter?.end != null) out.appendLeft(lineEnd(source, program.interpreter.end), `const ${HITS_BINDING}=${INIT_BINDING}();`);
    else out.prepend(`const ${HITS_BINDING}=${INIT_BINDING}();`);
    out.append(`\nfunction ${INIT_BINDING}(){return ${fetch}}\n`);
  } else {
    out.append(`\nvar ${HITS_BINDING};function ${INIT_BINDING}(){return ${HITS_BINDING}=${fetch}}\n`);
  }
  if (!OWN_SOURCE_MAP.test(source)) {
    // Line-level, without the source text: lines never move and the original is on disk; a
    // full map would double what V8 has to scan on every start.
    const map = out.generateMap({ source: basename(filename), includeContent: false, hires: false });
    out.append(`//# sourceMappingURL=${map.toUrl()}\n`);
  }
  return { code: out.toString(), functions };
}

/** Just after the line break that ends the line holding `from` (the end of the text if none). */
function lineEnd(source: string, from: number): number {
  const match = /\r\n?|\n|\u2028|\u2029/g;
  match.lastIndex = from;
  const found = match.exec(source);
  return found ? found.index + found[0].length : source.length;
}

/** The probe transform by @babel/core: parse, traverse, and the program's scope. */
export function instrumentWithBabel(source: string, format: ModuleFormat, filename: string): Instrumented {
  const core = loadBabel();
  const t = core.types;
  const ast = core.parseSync(source, {
    babelrc: false,
    configFile: false,
    browserslistConfigFile: false,
    filename,
    sourceType: format === 'module' ? 'module' : 'script',
    parserOpts: {
      allowReturnOutsideFunction: format === 'commonjs',
      allowAwaitOutsideFunction: format === 'module',
      errorRecovery: false,
    },
  });
  if (ast === null) throw new Error('babel returned no syntax tree');

  const out = new MagicString(source);
  const functions: FunctionSite[] = [];
  core.traverse(ast, {
    Program(path) {
      for (const name of [HITS_BINDING, INIT_BINDING, ...(format === 'commonjs' ? ['__filename'] : [])]) {
        if (path.scope.hasBinding(name, { noGlobals: true })) throw new UnprobeableFile(`the file declares ${name} itself`);
      }
    },
    Function(path) {
      const node = path.node;
      const body = node.body;
      if (!node.loc || typeof body.start !== 'number' || typeof body.end !== 'number') return;
      const index = functions.length;
      functions.push([functionName(t, path), node.loc.start.line, node.loc.start.column]);
      spliceProbe(out, body, index, format);
    },
  });
  return finish(out, source, format, filename, functions, ast.program);
}

/**
 * Names a module exports from bindings it may reassign (`export let`, `var`, a function or class
 * assigned to later). A facade in front of such a module (IITM's) would hand out a snapshot
 * where the module's importers expect the live binding.
 */
export function reassignableExports(source: string, filename: string): string[] {
  const core = loadBabel();
  const t = core.types;
  const ast = core.parseSync(source, { babelrc: false, configFile: false, browserslistConfigFile: false, filename, sourceType: 'module' });
  if (ast === null) throw new Error('babel returned no syntax tree');
  const found: string[] = [];
  core.traverse(ast, {
    Program(path) {
      const check = (local: string, exported: string): void => {
        const binding = path.scope.getBinding(local);
        if (binding && (binding.kind === 'let' || binding.kind === 'var' || binding.constantViolations.length > 0)) found.push(exported);
      };
      for (const statement of path.node.body) {
        if (t.isExportNamedDeclaration(statement) && statement.source == null) {
          const declaration = statement.declaration;
          if (declaration) {
            for (const name of Object.keys(t.getBindingIdentifiers(declaration, false, true))) check(name, name);
          }
          for (const specifier of statement.specifiers) {
            if (t.isExportSpecifier(specifier) && t.isIdentifier(specifier.local)) {
              check(specifier.local.name, t.isIdentifier(specifier.exported) ? specifier.exported.name : specifier.exported.value);
            }
          }
        } else if (t.isExportDefaultDeclaration(statement)) {
          const declaration = statement.declaration;
          if ((t.isFunctionDeclaration(declaration) || t.isClassDeclaration(declaration)) && declaration.id) check(declaration.id.name, 'default');
        }
      }
      path.stop();
    },
  });
  return found;
}
