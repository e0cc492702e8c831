import { strict as assert } from 'node:assert';
import { groupProcessImages } from '../../src/model/process-images.js';
import { readRun } from '../../src/reader/run-reader.js';
import { lines, processStart, runDirWith } from '../support/run-dirs.js';

describe('groupProcessImages', () => {
  it('joins native and node files of one image, and separates images of an exec', async () => {
    const run = await readRun(runDirWith({
      // sh (pid 10) execs node, which records natively and from the node plugin
      '10-native-0.jsonl': lines(processStart({ pid: 10, t: 100, argv: ['sh', '-c', 'exec node a.js'] })),
      '10-native-1.jsonl': lines(processStart({ pid: 10, t: 200, seq: 1, origin: 'exec', exe: '/usr/bin/node', argv: ['node', 'a.js'] }),
        { kind: 'process_end', t: 900, reason: 'exit', exit_code: 3 }),
      '10-node-0.jsonl': lines(processStart({ pid: 10, t: 250, source: 'node', argv: ['/usr/bin/node', '/abs/a.js'] }),
        { kind: 'process_end', t: 890, reason: 'exit', exit_code: 3 }),
      '11-jvm-0.jsonl': lines(processStart({ pid: 11, ppid: 10, t: 300, source: 'jvm', argv: ['java', 'Main'] })),
    }));
    const images = groupProcessImages(run.files);
    assert.deepEqual(images.map((i) => [i.pid, i.sources.join('+'), i.argv?.join(' '), i.end?.exit_code, i.endMissing]), [
      [10, 'native', 'sh -c exec node a.js', undefined, true],
      [10, 'native+node', 'node a.js', 3, false],
      [11, 'jvm', 'java Main', undefined, true],
    ]);
  });

  it('keeps an image for a file whose process_start was lost', async () => {
    const run = await readRun(runDirWith({ '12-node-0.jsonl': lines('garbage', { kind: 'process_end', t: 5 }) }));
    const [image] = groupProcessImages(run.files);
    assert.equal(image?.pid, 12);
    assert.equal(image?.argv, undefined);
  });
});
