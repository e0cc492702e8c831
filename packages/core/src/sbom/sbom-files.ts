// Renders the model as an SBOM in either format, validated before it is handed out, and writes
// both next to the event files of a run (`apitrace run`, `apitrace sbom`).
import { join } from 'node:path';
import type { AppModel } from '../model/app-model.js';
import { writeOutputFile } from '../output/output-file.js';
import { cyclonedxJson } from './cyclonedx/cyclonedx-bom.js';
import { validateCycloneDx } from './cyclonedx/cyclonedx-validator.js';
import { spdxJson } from './spdx/spdx-document.js';
import { validateSpdx } from './spdx/spdx-validator.js';

export type SbomFormat = 'cyclonedx' | 'spdx';
export const SBOM_FORMATS: readonly SbomFormat[] = ['cyclonedx', 'spdx'];

/** File names in a run directory (they do not match the event file pattern, so readers skip them). */
export const SBOM_FILE_NAMES: Record<SbomFormat, string> = { cyclonedx: 'sbom.cdx.json', spdx: 'sbom.spdx.json' };

/** Our own output failed its schema: a bug of apitrace, reported as such. */
export class InvalidSbomError extends Error {}

export async function renderSbom(model: AppModel, format: SbomFormat): Promise<string> {
  const text = format === 'cyclonedx' ? cyclonedxJson(model) : spdxJson(model);
  const invalid = format === 'cyclonedx' ? await validateCycloneDx(text) : validateSpdx(text);
  if (invalid !== undefined) throw new InvalidSbomError(`the ${format} document does not validate: ${invalid}`);
  return text;
}

/** Writes both SBOMs into the run directory (mode 0600, like the event files) and returns their paths. */
export async function writeRunSboms(runDir: string, model: AppModel): Promise<string[]> {
  const written: string[] = [];
  for (const format of SBOM_FORMATS) {
    const path = join(runDir, SBOM_FILE_NAMES[format]);
    writeOutputFile(path, await renderSbom(model, format));
    written.push(path);
  }
  return written;
}
