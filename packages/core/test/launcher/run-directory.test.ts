import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDirectory, defaultRunDirectory } from '../../src/launcher/run-directory.js';

const base = (): string => mkdtempSync(join(tmpdir(), 'apitrace-rd-'));

describe('run directory', () => {
  it('defaults to ./.apitrace/runs/<timestamp>-<short id>', () => {
    const dir = defaultRunDirectory('/w', new Date(2026, 10, 28, 18, 5, 9));
    assert.match(dir, /^\/w\/\.apitrace\/runs\/20261128-180509-[0-9a-f]{6}$/);
    assert.notEqual(defaultRunDirectory('/w'), defaultRunDirectory('/w'));
  });

  it('creates parents and a 0700 leaf whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      const dir = createRunDirectory(join(base(), 'a', 'b'));
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    } finally {
      process.umask(old);
    }
  });

  it('adopts an empty directory but refuses a non-empty one or a file', () => {
    const empty = base();
    assert.equal(createRunDirectory(empty), empty);
    writeFileSync(join(empty, 'x'), '');
    assert.throws(() => createRunDirectory(empty), /directory is not empty/);
    assert.throws(() => createRunDirectory(join(empty, 'x')), /exists and is not a directory/);
  });

  it('adopts an empty directory of this user without changing its mode', () => {
    const dir = join(base(), 'mine');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    assert.equal(createRunDirectory(dir), dir);
    assert.equal(statSync(dir).mode & 0o7777, 0o750);
  });

  it('refuses a link, a directory others may write to, and a path under a file', () => {
    const dir = base();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    assert.throws(() => createRunDirectory(join(dir, 'link')), /is a symbolic link/);
    mkdirSync(join(dir, 'shared'));
    chmodSync(join(dir, 'shared'), 0o775);
    assert.throws(() => createRunDirectory(join(dir, 'shared')), /writable by other users \(mode 0775\)/);
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => createRunDirectory(join(dir, 'file', 'run')), /a file stands where a directory is needed/);
  });
});
