// `apitrace report` over run directories with damage in them.
import { strict as assert } from 'node:assert';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const report = (dir: string) => runProgram(process.execPath, [CLI, 'report', dir], { env: cleanEnv() });

describe('apitrace report (end to end)', () => {
  it('names a corrupted line and a truncated final line by file:line, summarises the rest, exits 0', async () => {
    const dir = join(tempDir('report'), 'run');
    const made = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', 'sh', '-c', 'node -e 0'], { env: cleanEnv() });
    assert.equal(made.status, 0, made.stderr);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    const [corrupted, truncated] = [join(dir, files[0]!), join(dir, files[1]!)];
    appendFileSync(corrupted, '{"kind":"api_usage","count":\n');
    appendFileSync(truncated, '{"kind":"stack","id":1,"fra');
    const corruptedLine = readFileLines(corrupted);
    const truncatedLine = readFileLines(truncated) + 1;

    const r = await report(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`error: ${escape(corrupted)}:${corruptedLine}: not JSON`));
    assert.match(r.stdout, new RegExp(`warn: ${escape(truncated)}:${truncatedLine}: truncated final line: the process ended abruptly`));
    // both files changed after apitrace run sealed the run, and the summary says so too
    assert.match(r.stdout, new RegExp(`error: ${escape(corrupted)}: changed after the run ended`));
    assert.match(r.stdout, /problems: 4/);
    assert.match(r.stdout, /processes: [2-9]/);
    assert.match(r.stdout, /node -e 0/);
  });

  it('exits 2 with one line for a missing, empty or foreign directory', async () => {
    const missing = await report('/nonexistent');
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'apitrace: /nonexistent: no such directory\n');
    assert.equal(missing.stdout, '');

    const empty = await report(tempDir('report-empty'));
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /^apitrace: .*: the run directory is empty \(nothing was recorded\)\n$/);

    const foreign = tempDir('report-foreign');
    writeFileSync(join(foreign, 'x.txt'), '');
    const notRun = await report(foreign);
    assert.equal(notRun.status, 2);
    assert.match(notRun.stderr, /^apitrace: .*: not an apitrace run directory \(no event files and no run\.json\)\n$/);
  });
});

function readFileLines(path: string): number {
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
