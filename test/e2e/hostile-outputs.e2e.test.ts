// Outputs where someone else had a hand first: links planted in a run directory by the
// observed process or beside an `-o FILE`, an `--out` that is a link, sits under a file, belongs
// to another user or is writable by others, and `apitrace layout` aimed at a directory that
// only looks like a layout. Nothing apitrace writes goes through a link, nothing it did not
// create is changed or deleted, and every refusal is one line and exit status 2.
import { strict as assert } from 'node:assert';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';

const RUN_OUTPUTS = ['report.html', 'sbom.cdx.json', 'sbom.spdx.json', 'findings.json', 'findings.sarif', 'fingerprint.json', 'run.json'];
const VICTIM_TEXT = 'belongs to someone else\n';

function apitrace(args: string[], cwd: string): Promise<Finished> {
  return runProgram(process.execPath, [CLI, ...args], { cwd, env: cleanEnv() });
}

/** A file standing for one the launcher may write but must never touch (root-owned, say). */
function victim(dir: string): string {
  const path = join(dir, 'victim');
  writeFileSync(path, VICTIM_TEXT, { mode: 0o644 });
  return path;
}

function assertVictimUntouched(path: string): void {
  assert.equal(readFileSync(path, 'utf8'), VICTIM_TEXT, `${path} was written through a link`);
  assert.equal(statSync(path).mode & 0o777, 0o644);
}

function assertPrivateFile(path: string): void {
  const stats = lstatSync(path);
  assert.ok(stats.isFile(), `${path} is a regular file, not a link`);
  assert.equal(stats.mode & 0o777, 0o600, path);
}

function assertRefused(r: Finished, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^apitrace: [^\n]+\n$/, 'exactly one line');
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(r.stderr, pattern);
}

describe('hostile and careless outputs (end to end)', function () {
  this.timeout(120_000);

  it('apitrace run replaces links the command planted at every output name, and writes nothing through them', async () => {
    const cwd = tempDir('planted');
    const target = victim(cwd);
    const out = join(cwd, 'run');
    // run.json exists while the command runs: the command swaps it for a link, as it can
    const plant = 'for f in "$@"; do rm -f "$APITRACE_DIR/$f"; ln -s "$0" "$APITRACE_DIR/$f"; done';
    const r = await apitrace(['run', '--out', out, '--', 'sh', '-c', plant, target, ...RUN_OUTPUTS], cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /cannot write|internal error/);
    assertVictimUntouched(target);
    for (const name of RUN_OUTPUTS) assertPrivateFile(join(out, name));
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { exit_status?: number };
    assert.equal(manifest.exit_status, 0);
    assert.deepEqual(
      readdirSync(out).filter((n) => n.endsWith('.partial')),
      [],
      'no temporary file is left behind',
    );
  });

  describe('-o FILE of the commands that print a document', () => {
    let cwd = '';
    let runDir = '';
    before(async () => {
      cwd = tempDir('dash-o');
      runDir = join(cwd, 'run');
      const r = await apitrace(['run', '--out', runDir, '--', 'true'], cwd);
      assert.equal(r.status, 0, r.stderr);
    });

    for (const [name, args] of [
      ['sbom', ['sbom', '--format', 'spdx', '-o']],
      ['fingerprint', ['fingerprint', '-o']],
      ['findings', ['findings', '-f', 'sarif', '-o']],
      ['report --html', ['report', '--html']],
    ] as const) {
      it(`apitrace ${name} replaces a link at its -o path instead of writing through it`, async () => {
        const target = victim(tempDir('victim'));
        const link = join(cwd, `${name.replace(/\W/g, '-')}.out`);
        symlinkSync(target, link);
        const r = await apitrace([args[0], runDir, ...args.slice(1), link], cwd);
        assert.equal(r.status, 0, r.stderr);
        assertVictimUntouched(target);
        assertPrivateFile(link);
        assert.ok(readFileSync(link, 'utf8').length > 0);
      });
    }

    it('refuses an -o path that is a directory, a device, or missing its directory, with one line', async () => {
      assertRefused(await apitrace(['sbom', runDir, '-o', runDir], cwd), new RegExp(`^apitrace: cannot write ${runDir}: it is a directory `));
      assertRefused(await apitrace(['fingerprint', runDir, '-o', '/dev/null'], cwd), /^apitrace: cannot write \/dev\/null: it is not a regular file /);
      assert.ok(statSync('/dev/null').isCharacterDevice());
      assertRefused(await apitrace(['findings', runDir, '-o', join(cwd, 'no', 'such.json')], cwd), /: .*\/no does not exist /);
    });
  });

  describe('--out of apitrace run', () => {
    it('refuses an --out that is a symbolic link, and leaves what it points to alone', async () => {
      const cwd = tempDir('out-link');
      const real = join(cwd, 'real');
      mkdirSync(real, { mode: 0o700 });
      symlinkSync(real, join(cwd, 'link'));
      const r = await apitrace(['run', '--out', join(cwd, 'link'), '--', 'sh', '-c', 'echo ran'], cwd);
      assertRefused(r, /: is a symbolic link /);
      assert.equal(r.stdout, '', 'the command did not run');
      assert.deepEqual(readdirSync(real), []);
    });

    it('refuses an --out under a regular file', async () => {
      const cwd = tempDir('out-file');
      writeFileSync(join(cwd, 'file'), 'x');
      const r = await apitrace(['run', '--out', join(cwd, 'file', 'run'), '--', 'sh', '-c', 'echo ran'], cwd);
      assertRefused(r, /^apitrace: cannot create run directory .*: a file stands where a directory is needed /);
      assert.equal(r.stdout, '');
    });

    it('refuses an --out directory that belongs to another user', async function () {
      if (process.getuid?.() !== 0) this.skip(); // giving a directory away needs root
      const cwd = tempDir('out-owner');
      const theirs = join(cwd, 'theirs');
      mkdirSync(theirs, { mode: 0o755 });
      chownSync(theirs, 65534, 65534);
      const r = await apitrace(['run', '--out', theirs, '--', 'sh', '-c', 'echo ran'], cwd);
      assertRefused(r, /: directory belongs to uid 65534, not to you /);
      assert.equal(r.stdout, '');
      assert.equal(statSync(theirs).mode & 0o7777, 0o755);
      assert.deepEqual(readdirSync(theirs), []);
    });

    it('refuses an --out directory others can write to, and does not chmod it', async () => {
      const cwd = tempDir('out-shared');
      const shared = join(cwd, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o1777);
      const r = await apitrace(['run', '--out', shared, '--', 'sh', '-c', 'echo ran'], cwd);
      assertRefused(r, /: directory is writable by other users \(mode 1777\) /);
      assert.equal(statSync(shared).mode & 0o7777, 0o1777);
    });

    it("uses an empty directory of its own user as it is: its mode is not apitrace's to change", async () => {
      const cwd = tempDir('out-adopt');
      const mine = join(cwd, 'mine');
      mkdirSync(mine);
      chmodSync(mine, 0o750);
      const r = await apitrace(['run', '--out', mine, '--', 'true'], cwd);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(statSync(mine).mode & 0o7777, 0o750);
      assertPrivateFile(join(mine, 'run.json'));
    });
  });

  describe('apitrace layout DIR', () => {
    it("leaves a directory holding a fake layout.json and a file of the user's intact", async () => {
      const dir = join(tempDir('layout-fake'), 'mine');
      mkdirSync(dir);
      const fake = `${JSON.stringify({ format: 'apitrace-layout', v: 1, version: '0.1.0', nodeEntry: 'node/dist/src/index.js', nodePackages: [] })}\n`;
      writeFileSync(join(dir, 'layout.json'), fake);
      writeFileSync(join(dir, 'thesis.tex'), 'years of work');
      const r = await apitrace(['layout', dir], dir);
      assertRefused(r, new RegExp(`^apitrace: ${dir} is not an apitrace layout: it holds thesis.tex \\(choose an empty or new directory\\)\n$`));
      assert.deepEqual(readdirSync(dir).sort(), ['layout.json', 'thesis.tex']);
      assert.equal(readFileSync(join(dir, 'thesis.tex'), 'utf8'), 'years of work');
      assert.equal(readFileSync(join(dir, 'layout.json'), 'utf8'), fake);
    });

    it('leaves a directory whose layout.json is not one apitrace wrote, or is a link, intact', async () => {
      const dir = join(tempDir('layout-other'), 'mine');
      mkdirSync(dir);
      writeFileSync(join(dir, 'layout.json'), '{"format":"apitrace-layout","v":1}\n');
      writeFileSync(join(dir, 'Dockerfile'), 'FROM mine\n');
      assertRefused(await apitrace(['layout', dir], dir), /is not an apitrace layout: its layout\.json is not one apitrace wrote /);
      assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM mine\n');

      const linked = join(tempDir('layout-link'), 'mine');
      mkdirSync(linked);
      symlinkSync(join(dir, 'layout.json'), join(linked, 'layout.json'));
      assertRefused(await apitrace(['layout', linked], linked), /is not an apitrace layout: its layout\.json is not a file /);
      assert.ok(lstatSync(join(linked, 'layout.json')).isSymbolicLink());
    });
  });
});
