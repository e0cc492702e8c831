import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWriter } from '../src/event-writer.js';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'apitrace-writer-'));

describe('node-plugin EventWriter', () => {
  it('creates <pid>-node-0.jsonl with mode 0600 and writes whole lines', () => {
    const dir = freshDir();
    const w = EventWriter.create(dir, 4242);
    w.write({ kind: 'notice', level: 'info', code: 'x', message: 'a\nb' });
    w.close();
    assert.equal(w.file, join(dir, '4242-node-0.jsonl'));
    assert.equal(statSync(w.file).mode & 0o777, 0o600);
    assert.equal(readFileSync(w.file, 'utf8'), '{"kind":"notice","level":"info","code":"x","message":"a\\nb"}\n');
  });

  it('takes the next seq when the name is taken, never reusing a file', () => {
    const dir = freshDir();
    writeFileSync(join(dir, '7-node-0.jsonl'), 'earlier image\n');
    const w = EventWriter.create(dir, 7);
    w.close();
    assert.equal(w.seq, 1);
    assert.equal(readFileSync(join(dir, '7-node-0.jsonl'), 'utf8'), 'earlier image\n');
  });

  it('never writes through a planted symlink', () => {
    const dir = freshDir();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, '9-node-0.jsonl'));
    const w = EventWriter.create(dir, 9);
    w.write({ kind: 'notice', level: 'info', code: 'x', message: 'y' });
    w.close();
    assert.equal(w.seq, 1);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  });

  it('throws a clear error for a directory that cannot hold files', () => {
    const file = join(freshDir(), 'a-file');
    writeFileSync(file, '');
    assert.throws(() => EventWriter.create(join(file, 'sub'), 1), /ENOTDIR/);
  });

  it('counts records written, including buffered ones', () => {
    const w = EventWriter.create(freshDir(), 11);
    w.write({ kind: 'a' });
    w.flush();
    w.write({ kind: 'b' });
    assert.equal(w.records, 2);
    assert.equal(w.dropped, 0);
    w.close();
  });
});
