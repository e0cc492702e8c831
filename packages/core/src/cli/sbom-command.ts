// `apitrace sbom <run-dir> --format cyclonedx|spdx [-o FILE]`: the usage-based SBOM of a run,
// validated against its format's schema, on stdout or into a file.
import { Option, type Command } from 'commander';
import { buildAppModel } from '../model/build-app-model.js';
import { renderSbom, SBOM_FORMATS, type SbomFormat } from '../sbom/sbom-files.js';
import { analysisProgress } from './analysis-progress.js';
import { writeOutput } from './fingerprint-command.js';

export async function sbomOfRun(runDir: string, format: SbomFormat): Promise<string> {
  const progress = analysisProgress();
  try {
    const model = await buildAppModel(runDir, { progress: progress.report });
    return await renderSbom(model, format);
  } finally {
    progress.done();
  }
}

export async function sbomCommand(runDir: string, flags: { format: SbomFormat; output?: string }): Promise<void> {
  writeOutput(flags.output, await sbomOfRun(runDir, flags.format));
}

export function registerSbomCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('sbom')
    .description('write the usage-based SBOM of a run (components used, loaded or only installed), validated')
    .argument('<run-dir>', 'a directory written by apitrace run (or by plugins with APITRACE_DIR)')
    .addOption(new Option('-f, --format <format>', 'cyclonedx (1.6 JSON) or spdx (2.3 JSON)').choices([...SBOM_FORMATS]).default('cyclonedx'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (runDir: string, flags: { format: SbomFormat; output?: string }) => {
      await sbomCommand(runDir, flags);
      setStatus(0);
    });
}
