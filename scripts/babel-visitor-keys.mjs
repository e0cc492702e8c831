// The node plugin's quick probe transform walks the syntax tree in babel traverse's order, so
// its probe indices are the ones babel gives. That order is @babel/types' VISITOR_KEYS; loading
// @babel/types in every process costs more than parsing a typical file, so the table the walk
// needs (JavaScript nodes only: the parser runs without TypeScript, Flow or JSX) is written from
// the installed @babel/types at build time, like the other generated modules.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const plugin = new URL('../packages/node-plugin/', import.meta.url);
export const VISITOR_KEYS_MODULE = fileURLToPath(new URL('src/transform/visitor-keys.generated.ts', plugin));

/** Writes the table when its text changed; returns the paths written. */
export function generateVisitorKeys() {
  const types = createRequire(fileURLToPath(new URL('package.json', plugin)))('@babel/types');
  const excluded = new Set(['Flow', 'TypeScript', 'JSX'].flatMap((alias) => types.FLIPPED_ALIAS_KEYS[alias]));
  const rows = Object.entries(types.VISITOR_KEYS)
    .filter(([type]) => !excluded.has(type))
    .map(([type, keys]) => `  ${type}: [${keys.map((k) => `'${k}'`).join(', ')}],`);
  const text = [
    '// Generated from @babel/types by scripts/babel-visitor-keys.mjs. Do not edit.',
    '// The child keys babel traverse visits, in its order, for every JavaScript node type.',
    'export const VISITOR_KEYS: Readonly<Record<string, readonly string[]>> = {',
    ...rows,
    '};',
    '',
  ].join('\n');
  let old;
  try {
    old = readFileSync(VISITOR_KEYS_MODULE, 'utf8');
  } catch {
    old = undefined;
  }
  if (old === text) return [];
  mkdirSync(dirname(VISITOR_KEYS_MODULE), { recursive: true });
  writeFileSync(VISITOR_KEYS_MODULE, text);
  return [VISITOR_KEYS_MODULE];
}
