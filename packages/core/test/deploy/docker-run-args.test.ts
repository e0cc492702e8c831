import { strict as assert } from 'node:assert';
import { UserError } from '../../src/base/user-error.js';
import { dockerRunFlags, parseDockerRunArgs } from '../../src/deploy/docker-run-args.js';

describe('parseDockerRunArgs', () => {
  it('finds the image after options with and without values, and keeps the command whole', () => {
    const parsed = parseDockerRunArgs(
      ['--rm', '-it', '--name', 'x', '--publish=80:80', '-P', '--sig-proxy', '-w/app', '--env-file', 'e.list', 'img:1', '-e', 'X=1', '--rm'],
      {},
    );
    assert.deepEqual(parsed, {
      options: ['--rm', '-it', '--name', 'x', '--publish=80:80', '-P', '--sig-proxy', '-w/app', '--env-file', 'e.list'],
      image: 'img:1',
      command: ['-e', 'X=1', '--rm'],
      userEnv: {},
    });
  });

  it('takes out only the variables apitrace composes, the last setting winning, NAME alone from the host', () => {
    const parsed = parseDockerRunArgs(
      ['-e', 'NODE_OPTIONS=--a', '--env', 'NODE_OPTIONS=--b', '-e', 'OTHER=1', '--env=JAVA_TOOL_OPTIONS=-Xss1m', '-iteLD_PRELOAD', 'alpine'],
      { LD_PRELOAD: '/host.so' },
    );
    assert.deepEqual(parsed.userEnv, { NODE_OPTIONS: '--b', JAVA_TOOL_OPTIONS: '-Xss1m', LD_PRELOAD: '/host.so' });
    assert.deepEqual(parsed.options, ['-e', 'OTHER=1', '-it']);
    assert.deepEqual(parseDockerRunArgs(['-e', 'APITRACE_DIR', 'alpine'], {}).userEnv, {});
  });

  it('says what is missing', () => {
    assert.throws(
      () => parseDockerRunArgs(['--name'], {}),
      (e: Error) => e instanceof UserError && e.line === 'apitrace: docker run option --name has no value (check the docker run arguments after --)',
    );
    assert.throws(() => parseDockerRunArgs(['--rm'], {}), /no image in the docker run arguments/);
    assert.throws(() => parseDockerRunArgs([], {}), /no image/);
  });
});

describe('dockerRunFlags', () => {
  it('mounts the layout read-only and the run directory, then the variables in a fixed order', () => {
    assert.deepEqual(dockerRunFlags({ layoutHostDir: '/l', runHostDir: '/r', env: { JAVA_TOOL_OPTIONS: 'j', APITRACE_DIR: '/apitrace/runs' } }), [
      '--volume',
      '/l:/apitrace/lib:ro',
      '--volume',
      '/r:/apitrace/runs',
      '--env',
      'APITRACE_DIR=/apitrace/runs',
      '--env',
      'JAVA_TOOL_OPTIONS=j',
    ]);
  });

  it('refuses a host path docker -v cannot express', () => {
    assert.throws(
      () => dockerRunFlags({ layoutHostDir: '/a:b', runHostDir: '/r', env: {} }),
      /cannot mount \/a:b into the container: the path contains a colon/,
    );
  });
});
