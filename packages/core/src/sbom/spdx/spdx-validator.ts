// Validates SPDX 2.3 JSON: against the official SPDX 2.3 JSON schema (kept as data in
// packages/core/schema/spdx/, see its README), then what that schema leaves open: the
// SPDXID syntax, unique ids, and relationships that point at elements of the document.
// The schema is compiled at build time (scripts/generate-from-schema.mjs): compiling it here
// cost every `apitrace run` about 90 ms. Without the build output it is compiled here.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

export const SPDX_SCHEMA_PATH = new URL('../../../../schema/spdx/spdx-2.3.schema.json', import.meta.url);
const PRECOMPILED_PATH = new URL('../../../../generated/spdx-validator.cjs', import.meta.url);

const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    if (existsSync(PRECOMPILED_PATH)) {
      const precompiled = require(PRECOMPILED_PATH.pathname) as ValidateFunction | { default: ValidateFunction };
      compiled = typeof precompiled === 'function' ? precompiled : precompiled.default;
      return compiled;
    }
    const Ajv = (require('ajv') as { default: new (o: object) => { compile(s: object): ValidateFunction } }).default;
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = ajv.compile(JSON.parse(readFileSync(SPDX_SCHEMA_PATH, 'utf8')) as object);
  }
  return compiled;
}

/** undefined when valid, else a one-line description of what is wrong. */
export function validateSpdx(json: string): string | undefined {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(json) as Record<string, unknown>;
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const validate = schemaValidator();
  if (!validate(document)) {
    return (validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
      .join('; ');
  }
  if (document['spdxVersion'] !== 'SPDX-2.3') return `spdxVersion is ${JSON.stringify(document['spdxVersion'])}, not SPDX-2.3`;
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const p of (document['packages'] as { SPDXID: string }[] | undefined) ?? []) {
    if (!SPDX_ID.test(p.SPDXID)) return `package SPDXID ${JSON.stringify(p.SPDXID)} is not SPDXRef-[A-Za-z0-9.-]+`;
    if (ids.has(p.SPDXID)) return `SPDXID ${p.SPDXID} is used twice`;
    ids.add(p.SPDXID);
  }
  for (const r of (document['relationships'] as Record<string, string>[] | undefined) ?? []) {
    for (const end of [r['spdxElementId'], r['relatedSpdxElement']]) {
      if (end !== undefined && !ids.has(end) && end !== 'NONE' && end !== 'NOASSERTION') {
        return `relationship ${r['relationshipType']} refers to ${end}, which the document does not define`;
      }
    }
  }
  return undefined;
}
