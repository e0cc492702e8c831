import { strict as assert } from 'node:assert';
import { groupProcessImages } from '../../src/model/process-images.js';
import { readRun } from '../../src/reader/run-reader.js';
import { lines, processStart, runDirWith } from '../support/run-dirs.js';

describe('groupProcessImages', () => {
  it('joins native and node files of one image, and separates images of an exec', async () => {
    const run = await readRun(
      runDirWith({
        // sh (pid 10) execs node, which records natively and from the node plugin
        '10-native-0.jsonl': lines(processStart({ pid: 10, t: 100, argv: ['sh', '-c', 'exec node a.js'] })),
        '10-native-1.jsonl': lines(processStart({ pid: 10, t: 200, seq: 1, origin: 'exec', exe: '/usr/bin/node', argv: ['node', 'a.js'] }), {
          kind: 'process_end',
          t: 900,
          reason: 'exit',
          exit_code: 3,
        }),
        '10-node-0.jsonl': lines(processStart({ pid: 10, t: 250, source: 'node', argv: ['/usr/bin/node', '/abs/a.js'] }), {
          kind: 'process_end',
          t: 890,
          reason: 'exit',
          exit_code: 3,
        }),
        '11-jvm-0.jsonl': lines(processStart({ pid: 11, ppid: 10, t: 300, source: 'jvm', argv: ['java', 'Main'] })),
      }),
    );
    const images = groupProcessImages(run.files);
    assert.deepEqual(
      images.map((i) => [i.pid, i.sources.join('+'), i.argv?.join(' '), i.end?.reason, i.end?.exit_code, i.endMissing]),
      [
        // the shim cannot write process_end before an execve that may fail; the exec'd image proves it
        [10, 'native', 'sh -c exec node a.js', 'exec', undefined, false],
        [10, 'native+node', 'node a.js', 'exit', 3, false],
        [11, 'jvm', 'java Main', undefined, undefined, true],
      ],
    );
    assert.equal(images[0]?.end?.t, 200);
  });

  it('does not take a later image that did not begin by exec as proof of an exec', async () => {
    const run = await readRun(
      runDirWith({
        '20-native-0.jsonl': lines(processStart({ pid: 20, t: 100 })),
        // pid reuse: a new process, not an exec of the first
        '20-native-1.jsonl': lines(processStart({ pid: 20, t: 900, seq: 1, origin: 'start' })),
      }),
    );
    const images = groupProcessImages(run.files);
    assert.deepEqual(
      images.map((i) => [i.end?.reason, i.endMissing]),
      [
        [undefined, true],
        [undefined, true],
      ],
    );
  });

  it('keeps an image for a file whose process_start was lost', async () => {
    const run = await readRun(runDirWith({ '12-node-0.jsonl': lines('garbage', { kind: 'process_end', t: 5 }) }));
    const [image] = groupProcessImages(run.files);
    assert.equal(image?.pid, 12);
    assert.equal(image?.argv, undefined);
  });
});
