// Validates one parsed record against the event contract (packages/core/schema/events.schema.json).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ApitraceEvent } from './events.generated.js';

export const EVENT_SCHEMA_VERSION = 1;
export const EVENT_SCHEMA_PATH = new URL('../../../schema/events.schema.json', import.meta.url);

// Compiled from the schema at build time (scripts/generate-from-schema.mjs): compiling it
// here would cost every CLI start tens of milliseconds.
const VALIDATOR_PATH = new URL('../../../generated/events-validator.cjs', import.meta.url);

let loaded: ValidateFunction<ApitraceEvent> | undefined;

/** Loads the compiled validator once; a missing build throws here, not per record. */
export function eventValidator(): ValidateFunction<ApitraceEvent> {
  loaded ??= createRequire(import.meta.url)(fileURLToPath(VALIDATOR_PATH)) as ValidateFunction<ApitraceEvent>;
  return loaded;
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
