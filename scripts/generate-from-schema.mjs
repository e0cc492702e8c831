// Generates, from packages/core/schema/events.schema.json, what the core must never keep by
// hand: the TypeScript types of the records, and the compiled validator (ajv standalone
// code, so the CLI does not pay for compiling the schema on every start). Skips outputs
// that are newer than the schema and this script.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneCodeModule.default ?? standaloneCodeModule;

const core = new URL('../packages/core/', import.meta.url);
const schemaPath = fileURLToPath(new URL('schema/events.schema.json', core));
export const TYPES_PATH = fileURLToPath(new URL('src/schema/events.generated.ts', core));
export const VALIDATOR_PATH = fileURLToPath(new URL('generated/events-validator.cjs', core));

function mtime(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

function isCurrent(output) {
  return mtime(output) > mtime(schemaPath) && mtime(output) > mtime(fileURLToPath(import.meta.url));
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

async function generateTypes(schema) {
  const ts = await compile(schema, 'ApitraceEvent', {
    bannerComment: '// Generated from packages/core/schema/events.schema.json by scripts/generate-from-schema.mjs. Do not edit.',
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    style: { singleQuote: true },
  });
  write(TYPES_PATH, ts);
}

/** The same options the core would compile with at run time: strict, so schema mistakes fail the build. */
function generateValidator(schema) {
  const ajv = new Ajv({ code: { source: true }, discriminator: true, strict: true, allowUnionTypes: true, allErrors: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  write(VALIDATOR_PATH, `// Generated from packages/core/schema/events.schema.json by scripts/generate-from-schema.mjs. Do not edit.\n${standaloneCode(ajv, validate)}\n`);
}

/** Returns the names of what was regenerated. */
export async function generateFromSchema() {
  const done = [];
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  if (!isCurrent(TYPES_PATH)) {
    await generateTypes(schema);
    done.push('types');
  }
  if (!isCurrent(VALIDATOR_PATH)) {
    generateValidator(schema);
    done.push('validator');
  }
  return done;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await generateFromSchema());
