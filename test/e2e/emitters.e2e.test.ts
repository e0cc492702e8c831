// Each plugin loaded alone, the way a user would load it, writing into APITRACE_DIR:
// every record validates against the contract, and the application is unchanged.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JVM_AGENT, NATIVE_SHIM, NODE_PLUGIN, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { readValidRun } from '../support/runs.js';

type Source = 'native' | 'node' | 'jvm';

/** The one place apitrace's version is set; every emitter gets it from there at build time. */
const APITRACE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Emitter {
  source: Source;
  /** the program without the plugin: prints "out" and "err" and exits 3 */
  bare: (work: string) => string[];
  /** the same program with the plugin loaded */
  traced: (work: string) => string[];
  env: NodeJS.ProcessEnv;
}

function javaMain(work: string): string {
  const src = join(work, 'Main.java');
  writeFileSync(src, 'public class Main { public static void main(String[] a) { System.out.println("out"); System.err.println("err"); System.exit(3); } }\n');
  return src;
}

const nodeApp = 'console.log("out"); console.error("err"); process.exitCode = 3';
const shellApp = 'echo out; echo err >&2; exit 3';

const emitters: Emitter[] = [
  { source: 'native', bare: () => ['sh', '-c', shellApp], traced: () => ['sh', '-c', shellApp], env: { LD_PRELOAD: NATIVE_SHIM } },
  { source: 'node', bare: () => ['node', '-e', nodeApp], traced: () => ['node', '--import', NODE_PLUGIN, '-e', nodeApp], env: {} },
  { source: 'jvm', bare: (w) => ['java', javaMain(w)], traced: (w) => ['java', `-javaagent:${JVM_AGENT}`, javaMain(w)], env: {} },
];

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Finished> {
  const [cmd, ...args] = argv;
  return runProgram(cmd!, args, { cwd, env: cleanEnv(env) });
}

describe('emitters loaded alone (end to end)', () => {
  for (const e of emitters) {
    describe(e.source, () => {
      it('writes its own 0600 event file whose records all validate', async () => {
        const work = tempDir(`emit-${e.source}`);
        const dir = join(work, 'run');
        mkdirSync(dir, { mode: 0o700 });
        const r = await run(e.traced(work), work, { ...e.env, APITRACE_DIR: dir });
        assert.equal(r.status, 3, r.stderr);
        assert.equal(r.stdout, 'out\n');

        const files = readdirSync(dir);
        const own = files.filter((f) => new RegExp(`^\\d+-${e.source}-\\d+\\.jsonl$`).test(f));
        assert.ok(own.length >= 1, `no ${e.source} file in ${files.join(', ')}`);
        for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);

        const { run: contents, images } = await readValidRun(dir);
        const file = contents.files.find((f) => f.source === e.source)!;
        assert.equal(file.start?.source, e.source);
        assert.equal(file.start?.v, 1);
        assert.equal(file.start?.emitter?.version, APITRACE_VERSION, 'emitter.version is the root package.json version');
        assert.ok(file.start!.t > 0);
        assert.ok(Math.abs(Date.parse(file.start!.wall) - Date.now()) < 60_000, file.start!.wall);
        assert.equal(file.start?.cwd, work);
        assert.ok(file.end, 'process_end written at exit');
        if (e.source !== 'jvm') assert.equal(file.end?.exit_code, 3); // a JVM shutdown hook cannot see the status
        assert.equal(file.end?.records, file.records);
        assert.ok(images.length >= 1);
      });

      it('changes nothing but one stderr line when APITRACE_DIR cannot be written', async () => {
        const work = tempDir(`emit-${e.source}-ro`);
        writeFileSync(join(work, 'a-file'), '');
        const bare = await run(e.bare(work), work, {});
        const traced = await run(e.traced(work), work, { ...e.env, APITRACE_DIR: join(work, 'a-file', 'run') });
        assert.equal(traced.status, bare.status);
        assert.equal(traced.stdout, bare.stdout);
        const extra = traced.stderr.split('\n').filter((l) => !bare.stderr.split('\n').includes(l));
        assert.ok(extra.length <= 1, `more than one extra stderr line: ${JSON.stringify(extra)}`);
        for (const line of extra) assert.match(line, new RegExp(`^apitrace: ${e.source}: cannot write events to .*\\(recording off for this process\\)$`));
      });

      it('stays silent and inert without APITRACE_DIR', async () => {
        const work = tempDir(`emit-${e.source}-off`);
        const bare = await run(e.bare(work), work, {});
        const traced = await run(e.traced(work), work, e.env);
        assert.deepEqual(traced, bare);
        assert.deepEqual(
          readdirSync(work).filter((f) => f.endsWith('.jsonl')),
          [],
        );
      });
    });
  }
});
