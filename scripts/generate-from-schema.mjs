// Generates, from packages/core/schema/events.schema.json, what the core must never keep by
// hand: the TypeScript types of the records, and the compiled validator (ajv standalone
// code, so the CLI does not pay for compiling the schema on every start). Also compiles the
// CycloneDX 1.6 strict schema shipped with @cyclonedx/cyclonedx-library, with the options
// and formats that library's own JSON validator uses: compiling it at run time cost every
// `apitrace run` about 340 ms. Skips outputs that are newer than their inputs and this script.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _, Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneCodeModule.default ?? standaloneCodeModule;

const core = new URL('../packages/core/', import.meta.url);
const schemaPath = fileURLToPath(new URL('schema/events.schema.json', core));
export const TYPES_PATH = fileURLToPath(new URL('src/schema/events.generated.ts', core));
export const VALIDATOR_PATH = fileURLToPath(new URL('generated/events-validator.cjs', core));
export const CYCLONEDX_VALIDATOR_PATH = fileURLToPath(new URL('generated/cyclonedx-validator.cjs', core));
const CYCLONEDX_FORMATS_PATH = fileURLToPath(new URL('generated/cyclonedx-formats.cjs', core));
const spdxSchemaPath = fileURLToPath(new URL('schema/spdx/spdx-2.3.schema.json', core));
export const SPDX_VALIDATOR_PATH = fileURLToPath(new URL('generated/spdx-validator.cjs', core));
// resolved from the core package, which depends on the library and on ajv's format packages
const coreRequire = createRequire(fileURLToPath(new URL('package.json', core)));

function mtime(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

function isCurrent(output, input = schemaPath) {
  return mtime(output) > mtime(input) && mtime(output) > mtime(fileURLToPath(import.meta.url));
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

/**
 * The library's JsonStrictValidator for 1.6 (its _optPlug.node/__jsonValidators/ajv.js), compiled
 * once here: same schema files, same ajv options, same formats (ajv-formats, idn-email from
 * ajv-formats-draft2019, iri-reference accepted as is). The formats are code the standalone
 * validator requires at run time: a small generated module gathers them.
 */
function generateCycloneDxValidator(files) {
  const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    loadSchema: (uri) => { throw new Error(`Remote schemas are disabled: ${uri}`); },
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': read(files.SPDX.JSON_SCHEMA),
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': read(files.CryptoDefs.JSON_SCHEMA),
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': read(files.JSF.JSON_SCHEMA),
    },
    code: { source: true, formats: _`require("./cyclonedx-formats.cjs")` },
  });
  addFormats(ajv);
  coreRequire('ajv-formats-draft2019')(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  const validate = ajv.compile(read(files.CDX.JSON_STRICT_SCHEMA['1.6']));
  const banner = '// Generated from the CycloneDX 1.6 strict schema of @cyclonedx/cyclonedx-library by scripts/generate-from-schema.mjs. Do not edit.\n';
  write(CYCLONEDX_FORMATS_PATH, `${banner}module.exports = { ...require("ajv-formats/dist/formats").fullFormats, "idn-email": require("ajv-formats-draft2019/formats")["idn-email"], "iri-reference": true };\n`);
  write(CYCLONEDX_VALIDATOR_PATH, `${banner}${standaloneCode(ajv, validate)}\n`);
}

/** The SPDX 2.3 schema with the options sbom/spdx/spdx-validator.ts would compile it with at run time. */
function generateSpdxValidator() {
  const ajv = new Ajv({ code: { source: true }, allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(spdxSchemaPath, 'utf8')));
  write(SPDX_VALIDATOR_PATH, `// Generated from packages/core/schema/spdx/spdx-2.3.schema.json by scripts/generate-from-schema.mjs. Do not edit.\n${standaloneCode(ajv, validate)}\n`);
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
  const cyclonedxFiles = coreRequire('@cyclonedx/cyclonedx-library')._Resources.FILES;
  if (!isCurrent(CYCLONEDX_VALIDATOR_PATH, cyclonedxFiles.CDX.JSON_STRICT_SCHEMA['1.6']) || !isCurrent(CYCLONEDX_FORMATS_PATH)) {
    generateCycloneDxValidator(cyclonedxFiles);
    done.push('cyclonedx validator');
  }
  if (!isCurrent(SPDX_VALIDATOR_PATH, spdxSchemaPath)) {
    generateSpdxValidator();
    done.push('spdx validator');
  }
  return done;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await generateFromSchema());
