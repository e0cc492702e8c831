import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachLine } from '../../src/reader/file-lines.js';
import { UntrustedFileError } from '../../src/reader/untrusted-file.js';

interface FileLine {
  text: string;
  number: number;
  complete: boolean;
}
import { runDirWith } from '../support/run-dirs.js';

async function collect(text: string | Buffer): Promise<FileLine[]> {
  const path = join(runDirWith({}), 'f');
  writeFileSync(path, text);
  const out: FileLine[] = [];
  await forEachLine(path, (text, number, complete) => {
    out.push({ text, number, complete });
  });
  return out;
}

describe('forEachLine', () => {
  it('numbers lines from 1 and marks a final line without newline incomplete', async () => {
    assert.deepEqual(await collect('a\nb\nc'), [
      { text: 'a', number: 1, complete: true },
      { text: 'b', number: 2, complete: true },
      { text: 'c', number: 3, complete: false },
    ]);
  });

  it('yields nothing for an empty file and nothing extra after a final newline', async () => {
    assert.deepEqual(await collect(''), []);
    assert.equal((await collect('x\n')).length, 1);
  });

  it('joins lines and multi-byte characters split across read chunks', async () => {
    const first = 'a'.repeat(700_001);
    const long = 'é'.repeat(400_000); // 800 kB from byte 700,002: crosses the 1 MiB chunk mid-character
    const lines = await collect(`${first}\n${long}\nnext\n`);
    assert.equal(lines.length, 3);
    assert.equal(lines[1]!.text, long);
    assert.equal(lines[2]!.text, 'next');
  });

  it('hands over every line of a chunk decoded in pieces: short and long lines, empty ones, multi-byte characters', async () => {
    // lines of every size around the 64 KiB pieces a 1 MiB chunk is decoded in, some longer than a piece
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 3 * 1024 * 1024; i++) {
      const line = i % 7 === 0 ? '' : `${i}:${'é'.repeat((i * 7919) % 3000)}${i % 13 === 0 ? 'x'.repeat(70_000 + i) : ''}`;
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const read = await collect(lines.join('\n') + '\n');
    assert.equal(read.length, lines.length);
    read.forEach((l, i) => {
      assert.equal(l.number, i + 1);
      assert.equal(l.complete, true);
      assert.equal(l.text, lines[i], `line ${i + 1}`);
    });
  });

  it('skips a line longer than the cap as it streams by, and reads on after it', async () => {
    const path = join(runDirWith({}), 'f');
    writeFileSync(path, `a\n${'['.repeat(3_000_000)}\nb\n${'x'.repeat(2_500_000)}`);
    const seen: string[] = [];
    const overlong: [number, number][] = [];
    await forEachLine(
      path,
      (text) => {
        seen.push(text);
      },
      {
        onOverlong: (n, bytes) => {
          overlong.push([n, bytes]);
        },
      },
    );
    assert.deepEqual(seen, ['a', 'b']);
    assert.deepEqual(overlong, [
      [2, 3_000_000],
      [4, 2_500_000],
    ]);
  });

  it('applies a smaller cap to lines within one chunk too', async () => {
    const path = join(runDirWith({}), 'f');
    writeFileSync(path, 'short\nthis line is too long\nok\n');
    const seen: string[] = [];
    const overlong: number[] = [];
    await forEachLine(
      path,
      (text) => {
        seen.push(text);
      },
      {
        maxLineBytes: 8,
        onOverlong: (n) => {
          overlong.push(n);
        },
      },
    );
    assert.deepEqual(seen, ['short', 'ok']);
    assert.deepEqual(overlong, [2]);
  });

  it('refuses a symbolic link, a FIFO and a directory without reading or blocking', async () => {
    const dir = runDirWith({});
    symlinkSync('/etc/passwd', join(dir, 'link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    for (const [name, why] of [
      ['link', /symbolic link/],
      ['fifo', /FIFO/],
      ['.', /directory/],
    ] as const) {
      await assert.rejects(
        forEachLine(join(dir, name), () => undefined),
        (err: Error) => err instanceof UntrustedFileError && why.test(err.message),
      );
    }
  });

  it('reads no further than the size the file had when it was opened', async () => {
    const path = join(runDirWith({}), 'f');
    writeFileSync(path, 'a\nb\n');
    const seen: string[] = [];
    await forEachLine(path, (text) => {
      seen.push(text);
      if (seen.length === 1) appendFileSync(path, 'late\n');
    });
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('stops reading when the handler says so', async () => {
    const path = join(runDirWith({}), 'f');
    writeFileSync(path, 'a\nb\nc\n');
    const seen: string[] = [];
    await forEachLine(path, (text) => {
      seen.push(text);
      return text !== 'b';
    });
    assert.deepEqual(seen, ['a', 'b']);
  });
});
