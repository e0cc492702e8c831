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
import uniqueItemsModule from 'ajv/dist/vocabularies/validation/uniqueItems.js';
import { getSchemaTypes } from 'ajv/dist/compile/validate/dataType.js';
import { compile } from 'json-schema-to-typescript';

const addFormats = addFormatsModule.default ?? addFormatsModule;
const standaloneCode = standaloneCodeModule.default ?? standaloneCodeModule;
const ajvUniqueItems = uniqueItemsModule.default ?? uniqueItemsModule;

const core = new URL('../packages/core/', import.meta.url);
const schemaPath = fileURLToPath(new URL('schema/events.schema.json', core));
export const TYPES_PATH = fileURLToPath(new URL('src/schema/events.generated.ts', core));
export const VALIDATOR_PATH = fileURLToPath(new URL('generated/events-validator.cjs', core));
export const CYCLONEDX_VALIDATOR_PATH = fileURLToPath(new URL('generated/cyclonedx-validator.cjs', core));
const CYCLONEDX_FORMATS_PATH = fileURLToPath(new URL('generated/cyclonedx-formats.cjs', core));
const UNIQUE_ITEMS_PATH = fileURLToPath(new URL('generated/unique-items.cjs', core));
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
  write(
    VALIDATOR_PATH,
    `// Generated from packages/core/schema/events.schema.json by scripts/generate-from-schema.mjs. Do not edit.\n${standaloneCode(ajv, validate)}\n`,
  );
}

/**
 * What the generated validators call to check `uniqueItems` on arrays of objects: the pair of
 * indices ajv's pairwise loop would report (the last item equal to an earlier one, and the last
 * such earlier one), or undefined. Items are equal when their canonical texts are (keys sorted):
 * the same equality as ajv's deep-equal on parsed JSON, in one pass instead of n²/2 comparisons.
 */
const UNIQUE_ITEMS_SOURCE = `"use strict";
function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}
function duplicatePair(items) {
  const seen = new Map();
  let pair;
  for (let i = 0; i < items.length; i++) {
    const key = canonical(items[i]);
    const j = seen.get(key);
    if (j !== undefined) pair = [i, j];
    seen.set(key, i);
  }
  return pair;
}
module.exports = { duplicatePair };
`;

/**
 * ajv's uniqueItems compares arrays of objects pairwise: at the 50,000 components an analysis
 * allows, validating a CycloneDX document took minutes. This one checks them in linear time
 * (unique-items.cjs) with ajv's error and parameters; arrays of scalars keep ajv's own linear check.
 */
const linearUniqueItems = {
  ...ajvUniqueItems,
  code(cxt) {
    const { gen, data, $data, schema, parentSchema } = cxt;
    const itemTypes = parentSchema.items ? getSchemaTypes(parentSchema.items) : [];
    const scalarItems = itemTypes.length > 0 && !itemTypes.some((t) => t === 'object' || t === 'array');
    if ($data || scalarItems) return ajvUniqueItems.code(cxt);
    if (!schema) return;
    const duplicatePair = gen.scopeValue('func', { ref: uniqueItemsRuntime.duplicatePair, code: _`require("./unique-items.cjs").duplicatePair` });
    const i = gen.let('i');
    const j = gen.let('j');
    cxt.setParams({ i, j });
    const pair = gen.const('pair', _`${duplicatePair}(${data})`);
    gen.if(pair, () => gen.assign(i, _`${pair}[0]`).assign(j, _`${pair}[1]`));
    cxt.fail(pair);
  },
};

/** The module text evaluated here, so the build's own validators use the same function. */
function require_(source) {
  const module = { exports: {} };
  new Function('module', 'exports', source)(module, module.exports);
  return module.exports;
}

const uniqueItemsRuntime = require_(UNIQUE_ITEMS_SOURCE);

/** An Ajv whose uniqueItems is the linear one above. */
function withLinearUniqueItems(ajv) {
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword(linearUniqueItems);
  return ajv;
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
    loadSchema: (uri) => {
      throw new Error(`Remote schemas are disabled: ${uri}`);
    },
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': read(files.SPDX.JSON_SCHEMA),
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': read(files.CryptoDefs.JSON_SCHEMA),
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': read(files.JSF.JSON_SCHEMA),
    },
    code: { source: true, formats: _`require("./cyclonedx-formats.cjs")` },
  });
  withLinearUniqueItems(ajv);
  addFormats(ajv);
  coreRequire('ajv-formats-draft2019')(ajv, { formats: ['idn-email'] });
  ajv.addFormat('iri-reference', true);
  const validate = ajv.compile(read(files.CDX.JSON_STRICT_SCHEMA['1.6']));
  const banner = '// Generated from the CycloneDX 1.6 strict schema of @cyclonedx/cyclonedx-library by scripts/generate-from-schema.mjs. Do not edit.\n';
  write(
    CYCLONEDX_FORMATS_PATH,
    `${banner}module.exports = { ...require("ajv-formats/dist/formats").fullFormats, "idn-email": require("ajv-formats-draft2019/formats")["idn-email"], "iri-reference": true };\n`,
  );
  write(UNIQUE_ITEMS_PATH, `${banner}${UNIQUE_ITEMS_SOURCE}`);
  write(CYCLONEDX_VALIDATOR_PATH, `${banner}${standaloneCode(ajv, validate)}\n`);
}

/** The SPDX 2.3 schema with the options sbom/spdx/spdx-validator.ts would compile it with at run time. */
function generateSpdxValidator() {
  const ajv = new Ajv({ code: { source: true }, allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(spdxSchemaPath, 'utf8')));
  write(
    SPDX_VALIDATOR_PATH,
    `// Generated from packages/core/schema/spdx/spdx-2.3.schema.json by scripts/generate-from-schema.mjs. Do not edit.\n${standaloneCode(ajv, validate)}\n`,
  );
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
  if (
    !isCurrent(CYCLONEDX_VALIDATOR_PATH, cyclonedxFiles.CDX.JSON_STRICT_SCHEMA['1.6']) ||
    !isCurrent(CYCLONEDX_FORMATS_PATH) ||
    !isCurrent(UNIQUE_ITEMS_PATH)
  ) {
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
