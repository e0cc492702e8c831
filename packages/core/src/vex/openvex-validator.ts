// Validates OpenVEX 0.2.0 JSON against apitrace's schema for it (packages/core/schema/openvex/,
// see its README: written from the specification, not copied), with ajv. The schema is small:
// it is compiled on first use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

export const OPENVEX_SCHEMA_PATH = new URL('../../../schema/openvex/openvex-0.2.0.schema.json', import.meta.url);

type AjvLike = { compile(schema: object): ValidateFunction; addFormat(name: string, format: RegExp): unknown };

/**
 * An absolute IRI (RFC 3987): a scheme, a colon, and no whitespace, controls or characters IRIs
 * exclude. Any scheme: a purl (`pkg:`) is an IRI, as the specification says, though `pkg` is
 * no registered URI scheme (which is why the draft 2019 `iri` format of ajv-formats-draft2019,
 * that wants one, does not do).
 */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f]+$/u;
let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    const Ajv = (require('ajv') as { default: new (o: object) => AjvLike }).default;
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    (require('ajv-formats') as { default: (a: AjvLike, formats: string[]) => void }).default(ajv, ['date-time']);
    ajv.addFormat('iri', ABSOLUTE_IRI);
    compiled = ajv.compile(JSON.parse(readFileSync(OPENVEX_SCHEMA_PATH, 'utf8')) as object);
  }
  return compiled;
}

/** undefined when valid, else a one-line description of the first errors. */
export function validateOpenVex(json: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const validate = validator();
  if (validate(document)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}
