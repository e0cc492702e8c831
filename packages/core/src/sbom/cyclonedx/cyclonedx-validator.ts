// Validates CycloneDX 1.6 JSON against the official schema shipped with
// @cyclonedx/cyclonedx-library (its JSON validator, backed by ajv).
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

let validator: Validation.JsonStrictValidator | undefined;

/** undefined when valid, else a one-line description of the first errors. */
export async function validateCycloneDx(json: string): Promise<string | undefined> {
  validator ??= new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  const error = await validator.validate(json);
  if (error === null) return undefined;
  const errors = Array.isArray(error) ? (error as { instancePath?: string; message?: string }[]) : [];
  if (errors.length === 0) return JSON.stringify(error).slice(0, 500);
  return errors.slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}
