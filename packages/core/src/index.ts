// Public API of @apitrace/core for other tools and for the end-to-end tests.
export type * from './schema/events.generated.js';
export { checkEvent, EVENT_SCHEMA_PATH, EVENT_SCHEMA_VERSION } from './schema/event-validator.js';
export { readRun, RunDirectoryError, type RunContents, type EventFileSummary, type RunProblem } from './reader/run-reader.js';
export { readRunManifest, type RunManifest } from './reader/run-manifest.js';
export { parseEventFileName } from './reader/event-file-name.js';
export { groupProcessImages, type ProcessImage } from './model/process-images.js';
export { formatRunSummary } from './report/terminal-summary.js';
export { main } from './cli/main.js';
export { buildAppModel } from './model/app-model.js';
export type * from './model/app-model.js';
export { renderSbom, writeRunSboms, SBOM_FILE_NAMES, type SbomFormat } from './sbom/sbom-files.js';
export { validateCycloneDx } from './sbom/cyclonedx/cyclonedx-validator.js';
export { validateSpdx } from './sbom/spdx/spdx-validator.js';
