// Drift between two releases of an app (test/fixtures/drift-app): release 2 adds an outbound
// call to a second service and a child process. apitrace diff shows both, as text and JSON,
// and --fail-on makes it exit 3 only for the kinds named.
import { strict as assert } from 'node:assert';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface DiffJson {
  drift: string[];
  failed: string[];
  categories: { category: string; kind: string; added: string[]; removed: string[] }[];
}

const diff = (...args: string[]): ReturnType<typeof runProgram> => runProgram(process.execPath, [CLI, 'diff', ...args], { env: cleanEnv() });

describe('apitrace diff: drift between two releases (end to end)', function () {
  this.timeout(120_000);
  const work = tempDir('diff');
  const v1 = join(work, 'v1');
  const v1again = join(work, 'v1-again');
  const v2 = join(work, 'v2');
  after(() => rmSync(work, { recursive: true, force: true }));

  before(async () => {
    for (const [dir, app] of [
      [v1, 'v1.mjs'],
      [v1again, 'v1.mjs'],
      [v2, 'v2.mjs'],
    ] as const) {
      const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', 'node', join(FIXTURES, 'drift-app', app)], {
        env: cleanEnv(),
        cwd: REPO_ROOT,
      });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('the same release twice: no drift, exit 0 even with --fail-on any', async () => {
    const r = await diff(v1, v1again, '--fail-on', 'any');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no drift/);
  });

  it('text: the new peer, listening address, called and served routes and the new program, per category', async () => {
    const r = await diff(v1, v2);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ {2}network peers \(new-network\): 1 added, 0 removed\n {4}\+ 127\.0\.0\.2:<ephemeral>$/m);
    assert.match(r.stdout, /^ {2}programs \(new-exec\): 1 added, 0 removed\n {4}\+ \/usr\/bin\/uname$/m);
    assert.match(r.stdout, /^ {4}\+ GET http:\/\/127\.0\.0\.2:<ephemeral>\/rates\/eur$/m);
    assert.match(r.stdout, /^ {4}\+ .* node:child_process\.execFileSync$/m);
    // the entry script is the one thing the older release had that the newer lacks
    assert.match(r.stdout, /^ {4}- <cwd>\/test\/fixtures\/drift-app\/v1\.mjs \(read\)$/m);
  });

  it('--json: the same drift as data', async () => {
    const r = await diff(v1, v2, '--json');
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as DiffJson;
    assert.deepEqual(d.failed, []);
    for (const kind of ['new-network', 'new-exec', 'new-api', 'new-endpoint']) assert.ok(d.drift.includes(kind), d.drift.join(', '));
    const programs = d.categories.find((c) => c.category === 'programs')!;
    assert.deepEqual(programs.added, ['/usr/bin/uname']);
    assert.deepEqual(programs.removed, []);
  });

  it('--fail-on: exit 3 for the kinds that drifted, 2 for an unknown kind', async () => {
    const failing = await diff(v1, v2, '--fail-on', 'new-network,new-exec');
    assert.equal(failing.status, 3);
    assert.match(failing.stderr, /^apitrace: drift: new network, exec behaviour since /m);
    assert.deepEqual((JSON.parse((await diff(v1, v2, '--json', '--fail-on', 'new-exec')).stdout) as DiffJson).failed, ['new-exec']);
    // uname is a program of another Debian package: a new component too
    const component = await diff(v1, v2, '--json', '--fail-on', 'new-component');
    assert.equal(component.status, 3);
    assert.ok(
      (JSON.parse(component.stdout) as DiffJson).categories
        .find((c) => c.category === 'components')!
        .added.some((ref) => ref.startsWith('pkg:deb/debian/coreutils@')),
    );
    const wrong = await diff(v1, v2, '--fail-on', 'new-everything');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^apitrace: --fail-on: unknown drift kind "new-everything"/);
  });

  it('a committed baseline fingerprint file against a new run', async () => {
    const baseline = join(work, 'baseline.fingerprint.json');
    copyFileSync(join(v1, 'fingerprint.json'), baseline);
    const r = await diff(baseline, v2, '--fail-on', 'new-exec');
    assert.equal(r.status, 3);
    const notFingerprint = join(work, 'other.json');
    writeFileSync(notFingerprint, '{"bomFormat":"CycloneDX"}');
    const bad = await diff(notFingerprint, v2);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^apitrace: cannot read .*other\.json: .* is not an apitrace fingerprint/);
  });
});
