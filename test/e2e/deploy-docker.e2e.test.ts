// `apitrace docker-args` and `apitrace docker-run`: no Docker engine runs here, so the argument
// lists are checked exactly, and docker-run executes a stand-in `docker` on PATH that records
// the argv it was given (and answers `docker image inspect` with an image's ENV).
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';

const NODE_IMPORT = '--import /apitrace/lib/node/dist/src/index.js';
const SHIM = '/apitrace/lib/libapitrace.so';
const AGENT = '-javaagent:/apitrace/lib/apitrace.jar';

// Records its argv NUL-separated; `image inspect` prints $FAKE_IMAGE_ENV or fails like docker does.
const FAKE_DOCKER = `#!/bin/sh
if [ "$1" = image ] && [ "$2" = inspect ]; then
  if [ -n "\${FAKE_IMAGE_ENV:-}" ]; then printf '%s\\n' "$FAKE_IMAGE_ENV"; exit 0; fi
  echo "Error response from daemon: No such image: $6" >&2
  exit 1
fi
for arg in "$@"; do printf '%s\\0' "$arg"; done > "$FAKE_DOCKER_ARGV"
exit 7
`;

let work = '';
let layout = '';
let bin = '';

function apitrace(args: string[], extraEnv: NodeJS.ProcessEnv = {}, withDocker = true): Promise<Finished> {
  const path = withDocker ? `${bin}:${process.env['PATH'] ?? ''}` : '/nonexistent';
  return runProgram(process.execPath, [CLI, ...args], { cwd: work, env: cleanEnv({ PATH: path, FAKE_DOCKER_ARGV: join(work, 'argv'), ...extraEnv }) });
}

function recordedArgv(): string[] {
  return readFileSync(join(work, 'argv'), 'utf8').split('\0').slice(0, -1);
}

function mounts(out: string): string[] {
  return ['--volume', `${layout}:/apitrace/lib:ro`, '--volume', `${out}:/apitrace/runs`];
}

describe('apitrace docker-args and docker-run (end to end, stand-in docker)', function () {
  this.timeout(120_000);

  before(async () => {
    work = tempDir('docker');
    bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker'), FAKE_DOCKER);
    chmodSync(join(bin, 'docker'), 0o755);
    layout = join(work, 'layout');
    const made = await runProgram(process.execPath, [CLI, 'layout', layout], { env: cleanEnv() });
    assert.equal(made.status, 0, made.stderr);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('docker-args prints the mounts and variables as one shell-quoted line, and creates the run directory 0700', async () => {
    const out = join(work, 'out-args');
    const r = await apitrace(['docker-args', '--layout', layout, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      `--volume ${layout}:/apitrace/lib:ro --volume ${out}:/apitrace/runs --env APITRACE_DIR=/apitrace/runs ` +
        `--env LD_PRELOAD=${SHIM} --env 'NODE_OPTIONS=${NODE_IMPORT}' --env JAVA_TOOL_OPTIONS=${AGENT}\n`,
    );
    assert.equal(statSync(out).mode & 0o777, 0o700);

    const again = await apitrace(['docker-args', '--layout', layout, '--out', out]);
    assert.equal(again.status, 0, 'an empty run directory is adopted');
    writeFileSync(join(out, '1-native-0.jsonl'), '');
    const used = await apitrace(['docker-args', '--layout', layout, '--out', out]);
    assert.equal(used.status, 2);
    assert.match(used.stderr, /^apitrace: --out .*: directory is not empty \(choose a new or empty directory so runs never mix\)\n$/);
  });

  it('docker-args --json --image keeps what the image ENV sets and leaves out turned-off plugins', async () => {
    const out = join(work, 'out-image');
    const imageEnv = JSON.stringify([
      'PATH=/usr/local/bin:/usr/bin',
      'NODE_OPTIONS=--enable-source-maps',
      'JAVA_TOOL_OPTIONS=-XX:+UseG1GC',
      'LD_PRELOAD=/usr/lib/libjemalloc.so.2',
    ]);
    const r = await apitrace(['docker-args', '--json', '--image', 'shop:1.4', '--no-jvm', '--layout', layout, '--out', out], { FAKE_IMAGE_ENV: imageEnv });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      ...mounts(out),
      '--env',
      'APITRACE_DIR=/apitrace/runs',
      '--env',
      `LD_PRELOAD=${SHIM}:/usr/lib/libjemalloc.so.2`,
      '--env',
      `NODE_OPTIONS=--enable-source-maps ${NODE_IMPORT}`,
      '--env',
      'JAVA_TOOL_OPTIONS=-XX:+UseG1GC',
    ]);

    const missing = await apitrace(['docker-args', '--json', '--image', 'not-pulled:2', '--layout', layout, '--out', join(work, 'out-missing')]);
    assert.equal(missing.status, 0);
    assert.equal(
      missing.stderr,
      'apitrace: cannot read the environment of image not-pulled:2: Error response from daemon: No such image: not-pulled:2 ' +
        '(LD_PRELOAD, NODE_OPTIONS or JAVA_TOOL_OPTIONS set by the image are replaced; docker pull the image first to keep them)\n',
    );
    assert.deepEqual(
      (JSON.parse(missing.stdout) as string[]).filter((a) => a.startsWith('NODE_OPTIONS=')),
      [`NODE_OPTIONS=${NODE_IMPORT}`],
    );
  });

  it('docker-run runs docker run with the flags inserted before the image, merging the user -e values, and exits with its status', async () => {
    const out = join(work, 'out-run');
    const imageEnv = JSON.stringify(['JAVA_TOOL_OPTIONS=-Xmx1g', 'NODE_OPTIONS=--from-image']);
    const r = await apitrace(
      [
        'docker-run',
        '--layout',
        layout,
        '--out',
        out,
        '--',
        '--rm',
        '-it',
        '-e',
        'NODE_OPTIONS=--inspect',
        '--env=FOO=bar',
        '-eLD_PRELOAD=libx.so',
        '--name',
        'web',
        '-v',
        '/data:/data',
        '--network=host',
        'shop:1.4',
        'node',
        'server.js',
        '-e',
        'NODE_OPTIONS=not-a-docker-flag',
      ],
      { FAKE_IMAGE_ENV: imageEnv },
    );
    assert.equal(r.status, 7, r.stderr);
    assert.deepEqual(recordedArgv(), [
      'run',
      '--rm',
      '-it',
      '--env=FOO=bar',
      '--name',
      'web',
      '-v',
      '/data:/data',
      '--network=host',
      ...mounts(out),
      '--env',
      'APITRACE_DIR=/apitrace/runs',
      '--env',
      `LD_PRELOAD=${SHIM}:libx.so`,
      '--env',
      `NODE_OPTIONS=--inspect ${NODE_IMPORT}`,
      '--env',
      `JAVA_TOOL_OPTIONS=-Xmx1g ${AGENT}`,
      'shop:1.4',
      'node',
      'server.js',
      '-e',
      'NODE_OPTIONS=not-a-docker-flag',
    ]);
    assert.match(r.stderr, /^apitrace: no summary of .*out-run: .*the run directory is empty/m);
  });

  it('docker-run takes -e NAME from its own environment as docker does, and reads option clusters with attached values', async () => {
    const out = join(work, 'out-cluster');
    const r = await apitrace(
      ['docker-run', '--layout', layout, '--out', out, '--no-native', '--', '-dite', 'JAVA_TOOL_OPTIONS', '-p8080:80', '--', 'busybox'],
      { JAVA_TOOL_OPTIONS: '-Dhost=1', FAKE_IMAGE_ENV: '[]' },
    );
    assert.equal(r.status, 7, r.stderr);
    assert.deepEqual(recordedArgv(), [
      'run',
      '-dit',
      '-p8080:80',
      ...mounts(out),
      '--env',
      'APITRACE_DIR=/apitrace/runs',
      '--env',
      `NODE_OPTIONS=${NODE_IMPORT}`,
      '--env',
      `JAVA_TOOL_OPTIONS=-Dhost=1 ${AGENT}`,
      'busybox',
    ]);
  });

  it('docker-run says what is wrong when the image is missing from the arguments or docker is not installed', async () => {
    const noImage = await apitrace(['docker-run', '--layout', layout, '--', '--rm', '-e', 'A=1']);
    assert.equal(noImage.status, 2);
    assert.equal(
      noImage.stderr,
      'apitrace: docker-run: no image in the docker run arguments (usage: apitrace docker-run -- [docker run options] <image> [command...])\n',
    );

    const noDocker = await apitrace(['docker-run', '--layout', layout, '--out', join(work, 'out-nodocker'), '--', 'busybox', 'true'], {}, false);
    assert.equal(noDocker.status, 127);
    assert.match(noDocker.stderr, /^apitrace: cannot run docker: command not found \(install the docker CLI or put it on PATH\)$/m);
  });
});
