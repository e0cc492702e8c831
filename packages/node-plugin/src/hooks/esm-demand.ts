// Whether this process needs the ESM hooks thread from the start, or only once an ES module is
// about to load. On Node 20 module.register() starts a hooks thread and from then on every
// module the ESM loader sees (even a CommonJS one) costs round trips to it, hooks doing nothing
// included. A CommonJS program never needs it: CommonJS is probed on the compile path. So when
// the program's entry is surely CommonJS, the hooks are registered only when CommonJS code that
// can load an ES module (`import(` in its text, or an ES module required) is about to compile,
// or when the application registers hooks of its own (ours must stay the innermost).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFunction } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { lexModule } from './module-lexer.js';

/** Options that make the entry or an early import an ES module, or bring loaders of their own. */
const ESM_OPTIONS = /(?:^|\s)--(?:input-type=module|experimental-default-type=module|(?:experimental-)?loader\b)/;
const IMPORT_OPTION = /(?:^|\s)--import(?:=|\s+)("(?:[^"\\]|\\.)*"|\S+)/g;

/** This plugin's entry file, as `--import` names it. */
const OWN_ENTRY = fileURLToPath(new URL('../index.js', import.meta.url));

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isOwnEntry(value: string): boolean {
  const text = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  if (text === '@apitrace/node-plugin') return true;
  try {
    const path = text.startsWith('file:') ? fileURLToPath(text) : resolve(text);
    return realPath(path) === realPath(OWN_ENTRY);
  } catch {
    return false;
  }
}

/** True when the options bring ES modules or loaders before the entry runs (our own --import aside). */
function optionsBringEsm(): boolean {
  const all = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  if (ESM_OPTIONS.test(all)) return true;
  for (const match of all.matchAll(IMPORT_OPTION)) if (!isOwnEntry(match[1]!)) return true;
  return false;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file `node <argv1>` runs, as the CommonJS resolver finds it, by its real path as Node
 * reads it (a bin symlink read by its own name would be a file access Node never made).
 */
function entryFile(argv1: string): string | undefined {
  const base = resolve(argv1);
  // only the paths Node tries first, so no stat is ours alone (the shim would see it); a
  // directory or another extension: unsure
  for (const candidate of [base, `${base}.js`]) if (isFile(candidate)) return realPath(candidate);
  return undefined;
}

/** "type" of the nearest package.json, the one Node reads for the file (unparseable: unsure). */
function packageType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      // none here: Node looks further up too
    }
    if (text !== undefined) {
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        return typeof type === 'string' ? type : undefined;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** True when Node loads this file as CommonJS for sure (extension, package type, or no ES module syntax). */
function isCommonJsFile(file: string): boolean {
  const ext = extname(file);
  if (ext === '.cjs') return true;
  if (ext !== '.js' && ext !== '') return false;
  if (ext === '.js') {
    const type = packageType(file);
    if (type === 'module') return false;
    if (type === 'commonjs') return true;
  }
  // no "type": Node 20.19+ runs a file with ES module syntax as an ES module
  try {
    compileFunction(readFileSync(file, 'utf8').replace(/^#!.*/, ''), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    return true;
  } catch {
    return false;
  }
}

/** True when the program surely starts as CommonJS, so ES module hooks can wait. */
export function entryIsCommonJs(argv: readonly string[] = process.argv): boolean {
  // a worker's entry is not in argv (and may be an ES module, or code in a string): hooks at once
  if (!isMainThread || optionsBringEsm()) return false;
  const argv1 = argv[1];
  // `node -e` / `-p` / stdin: CommonJS unless --input-type=module (checked above)
  if (argv1 === undefined) return true;
  const file = entryFile(argv1);
  return file !== undefined && isCommonJsFile(file);
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * Whether running this source may load an ES module: then the ES module hooks must be in place.
 * CommonJS: a real `import(` (not the ones in comments, which JSDoc types have everywhere, or in
 * strings: the lexer tells). An ES module that require() loads: any import but of a file that
 * is surely CommonJS (packages offering `module-sync` ES modules that wrap their CommonJS).
 * A source the lexer cannot read counts as one that may.
 */
export function mayLoadEsModule(content: string, filename: string, format: 'module' | 'commonjs'): boolean {
  if (format === 'commonjs' && !DYNAMIC_IMPORT.test(content)) return false;
  try {
    const imports = lexModule(content)[0];
    if (format === 'commonjs') return imports.length > 0;
    return imports.some((entry) => {
      if (entry.type === 'import-meta') return false;
      if (entry.type === 'dynamic' || !/^\.\.?\//.test(entry.specifier)) return true;
      const target = resolve(dirname(filename), entry.specifier);
      return !isFile(target) || !isCommonJsFile(realPath(target));
    });
  } catch {
    return true;
  }
}
