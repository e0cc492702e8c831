// From run directories and advisory files to validated VEX text: the runs are read one at a
// time into one observation, the advisories on packages the runs saw are read, the verdicts
// made, and the document rendered in either format and validated before it is handed out.
// `apitrace vex` prints or writes one; `apitrace run --advisories` writes both into the run.
import { join } from 'node:path';
import type { AppModel, AppModelOptions } from '../model/app-model.js';
import { buildAppModel } from '../model/build-app-model.js';
import { writeOutputFile } from '../output/output-file.js';
import { validateCycloneDx } from '../sbom/cyclonedx/cyclonedx-validator.js';
import { problemLine, type AdvisoryProblem } from './advisory.js';
import { readAdvisories } from './advisory-files.js';
import { cyclonedxVexJson } from './cyclonedx-vex.js';
import { addFunctions, readFunctionFile } from './function-file.js';
import { ObservationBuilder, type Observation } from './observation.js';
import { openVexJson, type OpenVexOptions } from './openvex-document.js';
import { validateOpenVex } from './openvex-validator.js';
import { packageKeyText } from './package-names.js';
import { verdictsOf, type Verdict, type VerdictOptions } from './verdicts.js';

export type VexFormat = 'openvex' | 'cyclonedx';
export const VEX_FORMATS: readonly VexFormat[] = ['openvex', 'cyclonedx'];

/** File names in a run directory (they do not match the event file pattern, so readers skip them). */
export const VEX_FILE_NAMES: Record<VexFormat, string> = { openvex: 'vex.openvex.json', cyclonedx: 'vex.cdx.json' };

/** Our own output failed its schema: a bug of apitrace, reported as such. */
export class InvalidVexError extends Error {}

export interface VexInputs {
  advisories: readonly string[];
  /** --functions FILE */
  functions?: string;
  options?: VerdictOptions;
  /** one line per input problem (a malformed advisory, an unknown ecosystem, ...) */
  warn: (line: string) => void;
}

export interface VexResult {
  observation: Observation;
  verdicts: Verdict[];
  /** advisory files and archive entries that could be read */
  readable: number;
  problems: AdvisoryProblem[];
}

/** Several runs as one observation, one model in memory at a time. */
export async function observeRuns(runDirs: readonly string[], options: AppModelOptions = {}): Promise<Observation> {
  const builder = new ObservationBuilder();
  for (const dir of runDirs) builder.add(await buildAppModel(dir, options));
  return builder.finish();
}

/** The verdicts of the advisories on an observation; input problems are warned as they are found. */
export async function vexVerdicts(observation: Observation, inputs: VexInputs): Promise<VexResult> {
  const problems: AdvisoryProblem[] = [];
  const functionMap = inputs.functions === undefined ? undefined : readFunctionFile(inputs.functions, problems);
  const read = await readAdvisories(inputs.advisories, (type, name) => observation.byPackage.has(packageKeyText(type, name)));
  problems.push(...read.problems);
  for (const p of problems) inputs.warn(problemLine(p));
  if (functionMap) addFunctions(read.advisories, functionMap);
  return { observation, verdicts: verdictsOf(read.advisories, observation, inputs.options), readable: read.readable, problems };
}

/** The VEX document of the verdicts in a format, validated. */
export async function renderVex(result: Pick<VexResult, 'observation' | 'verdicts'>, format: VexFormat, options: OpenVexOptions = {}): Promise<string> {
  const window = result.observation.window;
  if (format === 'openvex') {
    const text = openVexJson(result.verdicts, window, options);
    const invalid = validateOpenVex(text);
    if (invalid !== undefined) throw new InvalidVexError(`the OpenVEX document does not validate: ${invalid}`);
    return text;
  }
  const text = cyclonedxVexJson(result.verdicts, window);
  const invalid = await validateCycloneDx(text);
  if (invalid !== undefined) throw new InvalidVexError(`the CycloneDX VEX document does not validate: ${invalid}`);
  return text;
}

/** `apitrace run --advisories`: both VEX documents of the run just analysed, into its directory. */
export async function writeRunVex(runDir: string, model: AppModel, inputs: VexInputs): Promise<VexResult> {
  const builder = new ObservationBuilder();
  builder.add(model);
  const result = await vexVerdicts(builder.finish(), inputs);
  for (const format of VEX_FORMATS) writeOutputFile(join(runDir, VEX_FILE_NAMES[format]), await renderVex(result, format));
  return result;
}
