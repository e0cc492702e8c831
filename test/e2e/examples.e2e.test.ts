// Every runnable example under `apitrace run`, as its README tells a user to run it:
// the example's output is unchanged, and what the emitters recorded is what the
// example does (its process tree, its code, its calls).
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApitraceEvent, ProcessImage, RunContents } from '@apitrace/core';
import { CLI, JVM_AGENT, NATIVE_SHIM, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { readValidRun, type RecordedRun } from '../support/runs.js';

const EXAMPLES = join(REPO_ROOT, 'examples');

interface TracedExample {
  result: Finished;
  recorded: RecordedRun;
}

const madeDirs: string[] = [];

/** A fresh temporary directory, removed after the tests of this file. */
function workDir(name: string): string {
  const dir = tempDir(`example-${name}`);
  madeDirs.push(dir);
  return dir;
}

/** `apitrace run --out DIR -- <command>` from the repository root, then the validated run. */
async function traceExample(name: string, command: string[]): Promise<TracedExample> {
  const out = join(workDir(name), 'run');
  const result = await runProgram(process.execPath, [CLI, 'run', '--out', out, '--', ...command], { cwd: REPO_ROOT, env: cleanEnv() });
  assert.equal(result.status, 0, `${name} under apitrace exited ${result.status}:\n${result.stderr}`);
  return { result, recorded: await readValidRun(out) };
}

function describeTree(images: ProcessImage[]): string {
  return JSON.stringify(images.map((i) => ({ pid: i.pid, ppid: i.ppid, sources: i.sources, argv: i.argv })));
}

function imageOf(run: RecordedRun, predicate: (image: ProcessImage) => boolean, what: string): ProcessImage {
  const image = run.images.find(predicate);
  assert.ok(image, `no ${what} in ${describeTree(run.images)}`);
  return image;
}

function eventsOf(run: RecordedRun, pid: number, source: string): ApitraceEvent[] {
  return run.events.filter((e) => e.file.startsWith(`${pid}-${source}-`)).map((e) => e.event);
}

function filesOf(run: RunContents, pid: number, source: string) {
  return run.files.filter((f) => f.pid === pid && f.source === source);
}

describe('examples under apitrace run (end to end)', () => {
  after(() => {
    for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  describe('native: SQLite and OpenSSL over loopback TLS', () => {
    const ledger = join(EXAMPLES, 'native', 'build', 'ledger');
    let traced: TracedExample;
    before(async () => {
      traced = await traceExample('native', [ledger]);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(
        traced.result.stdout,
        'accounts loaded: total balance 435\n' +
          'balance of bob: 75\n' +
          'session token: 16 hex characters\n' +
          'tls status check: 200 ledger service ok\n',
      );
    });

    it('is recorded by the native shim as one process that ended with status 0', () => {
      const { images } = traced.recorded;
      assert.equal(images.length, 1, describeTree(images));
      const image = images[0]!;
      assert.deepEqual(image.sources, ['native']);
      assert.equal(image.exe, ledger);
      assert.equal(image.end?.exit_code, 0);
      assert.equal(image.endMissing, false);
    });
  });

  describe('node-express: express, better-sqlite3, fetch to a local service, a shell command', () => {
    let traced: TracedExample;
    before(async () => {
      traced = await traceExample('node-express', ['node', 'examples/node-express/app.mjs']);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(
        traced.result.stdout,
        'GET /users/2 -> 200 {"id":2,"name":"bob","team":"search"}\n' +
          'GET /users/9 -> 404 {"error":"no such user"}\n' +
          'GET /search?team=payments -> 200 [{"id":1,"name":"alice"},{"id":3,"name":"carol"}]\n' +
          'POST /sessions -> 201 session for alice, token of 32 hex characters\n' +
          'GET /teams/payments/budget -> 200 {"team":"payments","budget":4}\n' +
          'GET /about -> 200 user directory of the node-express example\n' +
          'GET /users-file/lines -> 200 {"lines":5}\n',
      );
    });

    it('records node under both the shim and the node plugin, and the shell it runs below it', () => {
      const run = traced.recorded;
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      assert.deepEqual([...node.sources].sort(), ['native', 'node']);
      assert.equal(node.end?.exit_code, 0);
      assert.ok(filesOf(run.run, node.pid, 'node')[0]?.end, 'the node plugin wrote process_end');

      // exec() goes through /bin/sh -c, which runs wc: both are children in the recorded tree.
      const shell = imageOf(run, (i) => i.argv?.[0] === '/bin/sh' && i.argv[1] === '-c', 'shell running the command');
      assert.equal(shell.ppid, node.pid);
      assert.match(shell.argv![2]!, /^wc -l < '.*\/examples\/node-express\/data\/users\.json'$/);
      assert.equal(shell.end?.exit_code, 0);
      const wc = imageOf(run, (i) => i.argv?.[0] === 'wc', 'wc');
      assert.equal(wc.ppid, shell.pid);
      assert.equal(wc.end?.exit_code, 0);
    });
  });

  describe('polyglot: Node, an in-process JVM through java-bridge, and native code in one pid', () => {
    let traced: TracedExample;
    const expectedOutput =
      'price list of the polyglot example\n' +
      'java read 3 catalog lines: apples 3, pears 5, plums 8\n' +
      'java sha-256 of the catalog: c11af91cf9be85e32df0f323e5c0eb92ef79d7e1f5600f5a5d078a36bdadb040\n' +
      'java asked the line server: plums costs 8\n' +
      'node fetched: pears costs 5 (status 200)\n';
    before(async () => {
      traced = await traceExample('polyglot', ['node', 'examples/polyglot/app.mjs']);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(traced.result.stdout, expectedOutput);
    });

    it('records the shim, the node plugin and the JVM agent all in the node process', () => {
      const run = traced.recorded;
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      assert.deepEqual([...node.sources].sort(), ['jvm', 'native', 'node']);
      assert.equal(node.end?.exit_code, 0);
      const jvmStart = filesOf(run.run, node.pid, 'jvm')[0]?.start;
      assert.equal(jvmStart?.exe, node.exe, 'the JVM lives in the node executable');
      assert.equal(jvmStart?.runtime.name, 'java');
      assert.deepEqual(jvmStart?.argv, ['node', 'examples/polyglot/app.mjs']);
    });

    it('loads the agent once although both JAVA_TOOL_OPTIONS and the JVM options name it', () => {
      const run = traced.recorded;
      assert.equal(run.run.manifest?.plugins.jvm, 'injected');
      assert.match(traced.result.stderr, /^Picked up JAVA_TOOL_OPTIONS: .*-javaagent:/m);
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      const jvmFiles = filesOf(run.run, node.pid, 'jvm');
      assert.equal(jvmFiles.length, 1, jvmFiles.map((f) => f.name).join(', '));
      const starts = eventsOf(run, node.pid, 'jvm').filter((e) => e.kind === 'process_start');
      assert.equal(starts.length, 1);
    });

    it('records the JVM from the agent named in ensureJvm options alone', async () => {
      // No apitrace run and no JAVA_TOOL_OPTIONS: only the example's own -javaagent option.
      const dir = join(workDir('polyglot-opts'), 'run');
      mkdirSync(dir, { mode: 0o700 });
      const result = await runProgram('node', ['examples/polyglot/app.mjs'], {
        cwd: REPO_ROOT,
        env: cleanEnv({ APITRACE_DIR: dir, LD_PRELOAD: NATIVE_SHIM, APITRACE_JVM_AGENT: JVM_AGENT }),
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, expectedOutput);
      assert.doesNotMatch(result.stderr, /JAVA_TOOL_OPTIONS/);
      const { run } = await readValidRun(dir);
      const jvm = run.files.filter((f) => f.source === 'jvm');
      assert.equal(jvm.length, 1, run.files.map((f) => f.name).join(', '));
      const native = run.files.find((f) => f.source === 'native' && f.start?.argv?.[0] === 'node');
      assert.equal(jvm[0]!.pid, native?.pid, 'the JVM agent writes from the node process');
    });
  });
});
