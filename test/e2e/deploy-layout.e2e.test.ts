// The container layout away from the repository: written by `apitrace layout`, copied to a
// directory of its own, and used with exactly the environment `apitrace docker-args` sets (the
// container paths translated to the copy) to record real native, node and java processes.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupProcessImages, readRun, type ProcessImage } from '@apitrace/core';
import { CLI, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const CONTAINER_LIB = '/apitrace/lib';
const CONTAINER_RUNS = '/apitrace/runs';

let work = '';
let copied = '';
let flags: string[] = [];

/** The --env values of a docker-args flag list, container paths replaced by host ones. */
function envFromFlags(list: string[], runDir: string, layoutDir = copied): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== '--env') continue;
    const setting = list[++i]!;
    const eq = setting.indexOf('=');
    env[setting.slice(0, eq)] = setting
      .slice(eq + 1)
      .replaceAll(CONTAINER_LIB, layoutDir)
      .replaceAll(CONTAINER_RUNS, runDir);
  }
  return env;
}

async function copyTree(from: string, to: string): Promise<void> {
  mkdirSync(join(to, '..'), { recursive: true });
  const r = await runProgram('cp', ['-R', from, to]);
  assert.equal(r.status, 0, r.stderr);
}

function newRunDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

async function imagesOf(runDir: string): Promise<ProcessImage[]> {
  const run = await readRun(runDir);
  assert.deepEqual(
    run.problems.filter((p) => p.severity === 'error'),
    [],
    `records in ${runDir} validate`,
  );
  return groupProcessImages(run.files);
}

function exeNames(images: ProcessImage[]): string[] {
  return images.map((i) => (i.exe ?? '').split('/').pop()!);
}

describe('container layout (end to end, copied away from the repository)', function () {
  this.timeout(120_000);

  before(async () => {
    work = tempDir('layout');
    const built = join(work, 'built');
    const made = await runProgram(process.execPath, [CLI, 'layout', built], { env: cleanEnv() });
    assert.equal(made.status, 0, made.stderr);
    assert.equal(made.stdout, `${built}\n`);
    // A copy elsewhere, as `docker cp` or an init container would make it.
    copied = join(work, 'elsewhere', 'apitrace');
    await copyTree(built, copied);
    rmSync(built, { recursive: true });

    const args = await runProgram(process.execPath, [CLI, 'docker-args', '--json', '--layout', copied, '--out', join(work, 'host-out')], {
      env: cleanEnv(),
      cwd: work,
    });
    assert.equal(args.status, 0, args.stderr);
    flags = JSON.parse(args.stdout) as string[];
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds the shim, the agent, the launcher and the node plugin with every runtime dependency its package.json names', () => {
    const manifest = JSON.parse(readFileSync(join(copied, 'layout.json'), 'utf8')) as { nodeEntry: string; nodePackages: string[] };
    assert.equal(manifest.nodeEntry, 'node/dist/src/index.js');
    const pluginPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/node-plugin/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pluginPackage.dependencies ?? {})) {
      assert.ok(
        manifest.nodePackages.some((p) => p.startsWith(`${name}@`)),
        `${name} is in the layout`,
      );
      const installed = JSON.parse(readFileSync(join(copied, 'node', 'node_modules', name, 'package.json'), 'utf8')) as { name: string };
      assert.equal(installed.name, name);
    }
    assert.equal(statSync(join(copied, 'apitrace-exec')).mode & 0o777, 0o755);
    for (const file of ['libapitrace.so', 'apitrace.jar', 'apitrace-exec', 'Dockerfile', 'node/package.json', 'node/dist/src/index.js']) {
      assert.ok(readFileSync(join(copied, file)).length > 0, file);
    }
  });

  it('replaces an older layout but refuses to write into a directory holding anything else', async () => {
    const again = await runProgram(process.execPath, [CLI, 'layout', copied], { env: cleanEnv() });
    assert.equal(again.status, 0, again.stderr);
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const refused = await runProgram(process.execPath, [CLI, 'layout', other], { env: cleanEnv() });
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, `apitrace: ${other} is not an apitrace layout: it holds notes.txt (choose an empty or new directory)\n`);
    assert.equal(readFileSync(join(other, 'notes.txt'), 'utf8'), 'mine');
  });

  it('records native, node and java processes run with exactly the docker-args environment', async () => {
    const runDir = newRunDir('run-all');
    const env = envFromFlags(flags, runDir);
    assert.deepEqual(env, {
      APITRACE_DIR: runDir,
      LD_PRELOAD: `${copied}/libapitrace.so`,
      NODE_OPTIONS: `--import ${copied}/node/dist/src/index.js`,
      JAVA_TOOL_OPTIONS: `-javaagent:${copied}/apitrace.jar`,
    });
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'Main.java'), 'public class Main { public static void main(String[] a) { System.out.println("java " + (6 * 7)); } }\n');

    // Run from a directory outside the repository: the plugin's dependencies must come from the copy.
    const runs = [
      { argv: ['/bin/sh', '-c', 'echo native $((6 * 7))'], stdout: 'native 42\n' },
      { argv: ['sqlite3', ':memory:', 'select 6 * 7;'], stdout: '42\n' },
      { argv: ['node', '-e', 'console.log("node", 6 * 7)'], stdout: 'node 42\n' },
      { argv: ['java', 'Main.java'], stdout: 'java 42\n' },
    ];
    for (const { argv, stdout } of runs) {
      const r = await runProgram(argv[0]!, argv.slice(1), { cwd: app, env: cleanEnv(env) });
      assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, stdout);
    }
    const images = await imagesOf(runDir);
    const names = exeNames(images);
    const shell = realpathSync('/bin/sh').split('/').pop()!;
    for (const exe of [shell, 'sqlite3', 'node']) assert.ok(names.includes(exe), `${exe} recorded: ${names.join(', ')}`);
    assert.ok(
      names.some((n) => n === 'java'),
      `java recorded: ${names.join(', ')}`,
    );
    const sources = new Set(images.flatMap((i) => i.sources));
    assert.deepEqual([...sources].sort(), ['jvm', 'native', 'node']);
    const nodeImage = images.find((i) => i.sources.includes('node'))!;
    assert.ok(nodeImage.sources.includes('native'), 'the node process is recorded by the shim too');
    const javaImage = images.find((i) => i.sources.includes('jvm'))!;
    assert.ok(javaImage.sources.includes('native'), 'the java process is recorded by the shim too');
  });

  it('apitrace-exec sets exactly the docker-args variables, keeps existing ones, and adds nothing twice (/bin/sh)', async () => {
    const runDir = newRunDir('run-launcher');
    const launcher = join(copied, 'apitrace-exec');
    const printed = await runProgram(
      '/bin/sh',
      [launcher, 'node', '-e', 'for (const n of ["APITRACE_DIR","LD_PRELOAD","NODE_OPTIONS","JAVA_TOOL_OPTIONS"]) console.log(n + "=" + process.env[n])'],
      {
        cwd: work,
        env: cleanEnv({ APITRACE_DIR: runDir }),
      },
    );
    assert.equal(printed.status, 0, printed.stderr);
    const expected = envFromFlags(flags, runDir);
    assert.equal(
      printed.stdout,
      Object.entries(expected)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );

    const existing = { NODE_OPTIONS: '--max-old-space-size=256', JAVA_TOOL_OPTIONS: '-Xmx64m', LD_PRELOAD: 'libc.so.6 libm.so.6' };
    const twice = await runProgram('/bin/sh', [launcher, '/bin/sh', launcher, 'env'], { cwd: work, env: cleanEnv({ ...existing, APITRACE_DIR: runDir }) });
    assert.equal(twice.status, 0, twice.stderr);
    const env = Object.fromEntries(
      twice.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(env['NODE_OPTIONS'], `--max-old-space-size=256 --import ${copied}/node/dist/src/index.js`);
    assert.equal(env['JAVA_TOOL_OPTIONS'], `-Xmx64m -javaagent:${copied}/apitrace.jar`);
    assert.equal(env['LD_PRELOAD'], `${copied}/libapitrace.so:libc.so.6:libm.so.6`);
    assert.equal(env['APITRACE_DIR'], runDir);

    const only = await runProgram('/bin/sh', [launcher, '--no-native', '--no-jvm', 'env'], { cwd: work, env: cleanEnv({ APITRACE_DIR: runDir }) });
    assert.doesNotMatch(only.stdout, /^(LD_PRELOAD|JAVA_TOOL_OPTIONS)=/m);
    assert.match(only.stdout, /^NODE_OPTIONS=--import /m);

    const none = await runProgram('/bin/sh', [launcher], { env: cleanEnv() });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^apitrace: apitrace-exec: no command given \(usage: /);
  });

  it('apitrace-exec works from a directory whose path has a space: the node and java options are quoted, the shim is left out', async () => {
    const spaced = join(work, 'with space', 'apitrace');
    await copyTree(copied, spaced);
    const runDir = newRunDir('run-spaced');
    const r = await runProgram('sh', [join(spaced, 'apitrace-exec'), 'node', '-e', 'console.log(process.env.NODE_OPTIONS)'], {
      cwd: work,
      env: cleanEnv({ APITRACE_DIR: runDir }),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `--import "${spaced}/node/dist/src/index.js"\n`);
    assert.match(r.stderr, /^apitrace: native shim cannot be injected: its path contains a space or colon/m);
    const images = await imagesOf(runDir);
    assert.ok(
      images.some((i) => i.sources.includes('node')),
      'node recorded through the quoted path',
    );
  });
});
