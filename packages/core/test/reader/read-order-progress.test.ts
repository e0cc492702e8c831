import { strict as assert } from 'node:assert';
import { readRun } from '../../src/reader/run-reader.js';
import { analysisProgress } from '../../src/cli/analysis-progress.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

describe('readRun options', () => {
  it('reads the language files of a pid before its native ones when asked, and reports progress per file', async () => {
    const dir = runDir({
      '5-native-0.jsonl': lines(processStart({ pid: 5 })),
      '5-node-0.jsonl': lines(processStart({ pid: 5, source: 'node' })),
      '5-jvm-0.jsonl': lines(processStart({ pid: 5, source: 'jvm' })),
      '6-native-0.jsonl': lines(processStart({ pid: 6 })),
    });
    const order: string[] = [];
    const progress: number[] = [];
    const run = await readRun(dir, (_e, file) => order.push(file.name), { languageFilesFirst: true, progress: (p) => progress.push(p.files) });
    assert.deepEqual(order, ['5-jvm-0.jsonl', '5-node-0.jsonl', '5-native-0.jsonl', '6-native-0.jsonl']);
    assert.deepEqual(progress, [1, 2, 3, 4]);
    // the summary order stays by pid, source, seq
    assert.deepEqual(
      run.files.map((f) => f.name),
      ['5-jvm-0.jsonl', '5-native-0.jsonl', '5-node-0.jsonl', '6-native-0.jsonl'],
    );
  });
});

describe('analysisProgress', () => {
  const stream = (isTTY: boolean): NodeJS.WriteStream & { text: string } => {
    const s = {
      isTTY,
      text: '',
      write(chunk: string) {
        s.text += chunk;
        return true;
      },
    };
    return s as unknown as NodeJS.WriteStream & { text: string };
  };

  it('draws one line on a terminal and erases it when done', () => {
    const tty = stream(true);
    const progress = analysisProgress(tty, {});
    progress.report({ files: 1, filesTotal: 4, records: 1234567 });
    progress.done();
    assert.equal(tty.text, '\r\x1b[2Kapitrace: analysing: 1/4 files, 1,234,567 records\r\x1b[2K');
  });

  it('stays quiet when piped or in CI', () => {
    const piped = stream(false);
    analysisProgress(piped, {}).report({ files: 1, filesTotal: 1, records: 1 });
    const ci = stream(true);
    analysisProgress(ci, { CI: 'true' }).report({ files: 1, filesTotal: 1, records: 1 });
    assert.equal(piped.text + ci.text, '');
  });
});
