// Validates one parsed record against the event contract (packages/core/schema/events.schema.json).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ApitraceEvent } from './events.generated.js';

export const EVENT_SCHEMA_VERSION = 1;
export const EVENT_SCHEMA_PATH = new URL('../../../schema/events.schema.json', import.meta.url);

// ajv-formats is CommonJS with a default export; under NodeNext its namespace wraps it.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let compiled: ValidateFunction<ApitraceEvent> | undefined;

/** Compiles the schema once; a broken schema throws here, not per record. */
export function eventValidator(): ValidateFunction<ApitraceEvent> {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(EVENT_SCHEMA_PATH, 'utf8')) as object;
    const ajv = new Ajv({ discriminator: true, allErrors: false, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    compiled = ajv.compile<ApitraceEvent>(schema);
  }
  return compiled;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'record' : error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown field "${String(error.params['additionalProperty'])}"`;
  }
  if (error.keyword === 'discriminator') {
    return error.params['error'] === 'mapping' ? `unknown kind` : `missing or invalid kind`;
  }
  if (error.keyword === 'enum') {
    return `${where} ${error.message ?? 'is invalid'}: ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Returns the record typed when it satisfies the contract, or one line saying what is wrong. */
export function checkEvent(record: unknown): { ok: true; event: ApitraceEvent } | { ok: false; error: string } {
  const validate = eventValidator();
  if (validate(record)) return { ok: true, event: record };
  const first = validate.errors?.[0];
  const kind = (record as { kind?: unknown } | null)?.kind;
  const prefix = typeof kind === 'string' ? `${kind}: ` : '';
  return { ok: false, error: prefix + (first ? describe(first) : 'does not match the event schema') };
}
