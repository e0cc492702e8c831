// Validates CycloneDX 1.6 JSON against the official strict schema shipped with
// @cyclonedx/cyclonedx-library. The schema is compiled at build time
// (scripts/generate-from-schema.mjs) with the options and formats of the library's own
// JsonStrictValidator: compiling it here cost every `apitrace run` about 340 ms. When the
// build has not produced it, the library's validator (compiled at run time) does the same job.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

const PRECOMPILED_PATH = fileURLToPath(new URL('../../../../generated/cyclonedx-validator.cjs', import.meta.url));

type ValidationErrors = { instancePath?: string; message?: string }[];
type Validate = (json: string) => Promise<ValidationErrors | unknown | null>;

let validator: Validate | undefined;

function loadValidator(): Validate {
  if (existsSync(PRECOMPILED_PATH)) {
    const compiled = createRequire(import.meta.url)(PRECOMPILED_PATH) as ValidateFunction | { default: ValidateFunction };
    const validate = typeof compiled === 'function' ? compiled : compiled.default;
    return async (json) => (validate(JSON.parse(json)) ? null : (validate.errors ?? []));
  }
  const library = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  return (json) => library.validate(json);
}

function describe(error: unknown): string | undefined {
  if (error === null) return undefined;
  const errors = Array.isArray(error) ? (error as ValidationErrors) : [];
  if (errors.length === 0) return JSON.stringify(error).slice(0, 500);
  return errors
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

/** undefined when valid, else a one-line description of the first errors. */
export async function validateCycloneDx(json: string): Promise<string | undefined> {
  validator ??= loadValidator();
  return describe(await validator(json));
}

/** Whether the build-time validator is there (else validation falls back to the library's). */
export function hasPrecompiledCycloneDxValidator(): boolean {
  return existsSync(PRECOMPILED_PATH);
}

/** The library's own run-time validator, for tests that check the build-time one agrees with it. */
export async function validateCycloneDxWithLibrary(json: string): Promise<string | undefined> {
  return describe(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json));
}
