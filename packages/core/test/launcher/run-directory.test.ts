import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
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
});
