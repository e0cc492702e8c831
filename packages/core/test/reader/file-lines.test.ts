import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachLine } from '../../src/reader/file-lines.js';

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
    const long = 'é'.repeat(1_500_000); // 3 MB: crosses several 1 MiB chunks mid-character
    const lines = await collect(`${long}\nnext\n`);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.text, long);
    assert.equal(lines[1]!.text, 'next');
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
