// Generates packages/core/src/schema/events.generated.ts from the event schema, so the
// TypeScript types can never drift from the contract. Skips when the output is current.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const schemaPath = fileURLToPath(new URL('../packages/core/schema/events.schema.json', import.meta.url));
const outPath = fileURLToPath(new URL('../packages/core/src/schema/events.generated.ts', import.meta.url));

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

export async function generateEventTypes() {
  if (mtime(outPath) > mtime(schemaPath) && mtime(outPath) > mtime(fileURLToPath(import.meta.url))) return false;
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const ts = await compile(schema, 'ApitraceEvent', {
    bannerComment: '// Generated from packages/core/schema/events.schema.json by scripts/generate-event-types.mjs. Do not edit.',
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    style: { singleQuote: true },
  });
  writeFileSync(outPath, ts);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await generateEventTypes();
