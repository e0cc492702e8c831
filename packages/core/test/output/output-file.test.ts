import { strict as assert } from 'node:assert';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/base/user-error.js';
import { writeOutputFile } from '../../src/output/output-file.js';

const base = (): string => mkdtempSync(join(tmpdir(), 'apitrace-out-'));

describe('output file', () => {
  it('creates a 0600 regular file whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      const path = join(base(), 'sbom.cdx.json');
      writeOutputFile(path, 'new');
      assert.equal(readFileSync(path, 'utf8'), 'new');
      assert.equal(lstatSync(path).mode & 0o777, 0o600);
    } finally {
      process.umask(old);
    }
  });

  it('replaces an existing file and a planted link, never writing through the link', () => {
    const dir = base();
    writeFileSync(join(dir, 'victim'), 'keep');
    symlinkSync(join(dir, 'victim'), join(dir, 'report.html'));
    writeOutputFile(join(dir, 'report.html'), 'report');
    assert.equal(readFileSync(join(dir, 'victim'), 'utf8'), 'keep');
    assert.ok(lstatSync(join(dir, 'report.html')).isFile());
    writeOutputFile(join(dir, 'report.html'), 'again');
    assert.equal(readFileSync(join(dir, 'report.html'), 'utf8'), 'again');
    assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'victim']);
  });

  it('refuses a directory, a link to a directory and a device, leaving no partial file', () => {
    const dir = base();
    mkdirSync(join(dir, 'run.json'));
    symlinkSync(dir, join(dir, 'linked'));
    assert.throws(
      () => writeOutputFile(join(dir, 'run.json'), 'x'),
      (e: unknown) => e instanceof UserError && /it is a directory$/.test(e.what),
    );
    assert.throws(() => writeOutputFile(join(dir, 'linked'), 'x'), /a link to a directory, device or pipe/);
    assert.throws(() => writeOutputFile('/dev/null', 'x'), /it is not a regular file/);
    assert.deepEqual(readdirSync(dir).sort(), ['linked', 'run.json']);
  });

  it('says why when the directory is missing', () => {
    assert.throws(
      () => writeOutputFile(join(base(), 'no', 'f.json'), 'x', 'pick one'),
      (e: unknown) => e instanceof UserError && /no does not exist \(pick one\)$/.test(e.line),
    );
  });
});
