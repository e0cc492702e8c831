// The `apitrace` command line. Exit statuses (README.md): `run` exits with the command's
// own status; 2 means apitrace was used wrongly or its input is unusable; 1 an internal error.
import { Command, CommanderError, Option } from 'commander';
import { RunDirectoryError } from '../reader/run-reader.js';
import { runCommand } from '../launcher/run-command.js';
import { UserError, EXIT_USAGE } from '../base/user-error.js';
import { summariseRun } from './report-command.js';
import { registerDockerCommands } from './docker-commands.js';
import { registerLayoutCommand } from './layout-command.js';
import { registerWebhookCommands } from './webhook-commands.js';
import { registerSbomCommand } from './sbom-command.js';
import { registerFingerprintCommand } from './fingerprint-command.js';
import { registerDiffCommand } from './diff-command.js';
import { registerFindingsCommand, writeHtmlReport } from './findings-command.js';
import { terminalLines, terminalSafe } from '../base/terminal-line.js';
import { registerVexCommand } from './vex-command.js';
import { APITRACE_VERSION } from '../version.generated.js';

export const VERSION = APITRACE_VERSION;
const EXIT_INTERNAL = 1;

/** Every message line apitrace prints ends here: whatever it quotes stays on this one line. */
function stderrLine(line: string): void {
  process.stderr.write(`${terminalSafe(line.endsWith('\n') ? line.slice(0, -1) : line)}\n`);
}

interface RunFlags {
  out?: string;
  native: boolean;
  node: boolean;
  jvm: boolean;
  sbom: boolean;
  advisories?: string[];
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function buildProgram(setStatus: (status: number) => void): Command {
  const program = new Command('apitrace')
    .description('See what an application really does at run time: native, Node and JVM API usage.')
    .version(VERSION)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(terminalLines(`apitrace: ${text.replace(/^error: /, '').trimEnd()}`.split('\n'))) });

  program
    .command('run')
    .description('run a command with every plugin injected, then summarise what was recorded')
    .usage('[options] -- <command> [args...]')
    .addOption(new Option('-o, --out <dir>', 'run directory to create (default: ./.apitrace/runs/<timestamp>-<id>)'))
    .option('--no-native', 'do not inject the native shim (LD_PRELOAD)')
    .option('--no-node', 'do not inject the node plugin (NODE_OPTIONS --import)')
    .option('--no-jvm', 'do not inject the jvm agent (JAVA_TOOL_OPTIONS -javaagent)')
    .option('--no-sbom', 'do not write sbom.cdx.json and sbom.spdx.json into the run directory')
    .option(
      '--advisories <path>',
      'also write vex.openvex.json and vex.cdx.json from these advisories (OSV file, folder or zip, osv-scanner or grype report; repeat for more)',
      collect,
    )
    .argument('<command...>', 'the command to observe, after --')
    .passThroughOptions()
    .action(async (command: string[], flags: RunFlags) => {
      // runCommand starts the command before it returns; the analysis code loads meanwhile
      const finished = runCommand(command, {
        ...(flags.out === undefined ? {} : { out: flags.out }),
        enabled: { native: flags.native, node: flags.node, jvm: flags.jvm },
        cwd: process.cwd(),
        env: process.env,
        warn: stderrLine,
      });
      const afterRun = import('./after-run.js').then((analysis) => {
        analysis.prepareAnalysis();
        return analysis;
      });
      const result = await finished;
      // The command's status is what scripts rely on: analyseRun turns every failure into a line.
      process.stderr.write(
        await (
          await afterRun
        ).analyseRun(result.runDir, {
          sbom: flags.sbom,
          warn: stderrLine,
          ...(flags.advisories ? { advisories: flags.advisories } : {}),
        }),
      );
      setStatus(result.status);
    });

  program
    .command('report')
    .description('print the summary of an existing run directory')
    .argument('<run-dir>', 'a directory written by apitrace run (or by plugins with APITRACE_DIR)')
    .option('--html <file>', 'write the self-contained HTML report (what report.html in a run directory holds) to this file instead')
    .action(async (runDir: string, flags: { html?: string }) => {
      if (flags.html !== undefined) await writeHtmlReport(runDir, flags.html);
      else process.stdout.write(await summariseRun(runDir));
      setStatus(0);
    });

  registerSbomCommand(program, setStatus);
  registerFingerprintCommand(program, setStatus);
  registerDiffCommand(program, setStatus, stderrLine);
  registerFindingsCommand(program, setStatus, stderrLine);
  registerVexCommand(program, setStatus, stderrLine);
  registerLayoutCommand(program, VERSION, setStatus);
  registerDockerCommands(program, VERSION, setStatus, stderrLine);
  registerWebhookCommands(program, VERSION, setStatus, stderrLine);

  return program;
}

/** Runs the CLI and returns the exit status; never calls process.exit itself. */
export async function main(argv: readonly string[]): Promise<number> {
  let status = 0;
  const program = buildProgram((s) => {
    status = s;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage mistakes were already printed.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UserError) {
      stderrLine(err.line);
      return err.exitStatus;
    }
    if (err instanceof RunDirectoryError) {
      stderrLine(`apitrace: ${err.message}`);
      return EXIT_USAGE;
    }
    // A bug of apitrace: one line for the user, the stack trace only when asked for.
    const message = (err as Error).message ?? String(err);
    stderrLine(
      `apitrace: internal error: ${message.split('\n')[0]} (a bug in apitrace: please report it with the command you ran; APITRACE_DEBUG=1 shows where it happened)`,
    );
    if (process.env['APITRACE_DEBUG'] === '1') process.stderr.write(terminalLines(((err as Error).stack ?? '').split('\n')));
    return EXIT_INTERNAL;
  }
}
