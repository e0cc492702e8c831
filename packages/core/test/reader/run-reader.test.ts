import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun, RunDirectoryError } from '../../src/reader/run-reader.js';
import { lines, processStart, runDirWith } from '../support/run-dirs.js';

const usage = { kind: 'api_usage', api: 'libc:open', category: 'file', caller: '/bin/sh', count: 2, first_t: 1, last_t: 2 };

describe('readRun', () => {
  it('reads valid files, counting records per kind', async () => {
    const dir = runDirWith({
      '100-native-0.jsonl': lines(processStart(), usage, { kind: 'process_end', t: 5, exit_code: 0 }),
      'run.json': JSON.stringify({ format: 'apitrace-run', v: 1, command: ['sh'], cwd: '/', started: 'x', plugins: {} }),
      'sbom.json': '{}',
    });
    const run = await readRun(dir);
    assert.equal(run.files.length, 1);
    assert.deepEqual(Object.fromEntries(run.recordsByKind), { process_start: 1, api_usage: 1, process_end: 1 });
    assert.deepEqual(run.problems, []);
    assert.equal(run.files[0]!.end?.exit_code, 0);
    assert.deepEqual(run.manifest?.command, ['sh']);
  });

  it('reports a corrupted line and a truncated last line with file:line, keeping the rest', async () => {
    const dir = runDirWith({
      '100-native-0.jsonl': lines(processStart(), '{"kind":"api_usage", oops', usage) + '{"kind":"api_us',
      '101-node-0.jsonl': lines(processStart({ pid: 101, source: 'node' }), { kind: 'process_end', t: 9 }),
    });
    const run = await readRun(dir);
    const file = join(dir, '100-native-0.jsonl');
    assert.deepEqual(
      run.problems.map((p) => `${p.where}: ${p.severity}`),
      [`${file}:2: error`, `${file}:4: warn`],
    );
    assert.match(run.problems[0]!.message, /^not JSON/);
    assert.match(run.problems[1]!.message, /truncated final line: the process ended abruptly/);
    assert.equal(run.files[0]!.truncated, true);
    assert.equal(run.recordsByKind.get('api_usage'), 1);
    assert.equal(run.recordsByKind.get('process_start'), 2);
  });

  it('accepts a final line without newline when it is a whole record', async () => {
    const dir = runDirWith({ '5-jvm-0.jsonl': JSON.stringify(processStart({ pid: 5, source: 'jvm' })) });
    const run = await readRun(dir);
    assert.deepEqual(run.problems, []);
    assert.equal(run.files[0]!.truncated, false);
  });

  it('reports schema violations with the field, and order violations', async () => {
    const dir = runDirWith({
      '100-native-0.jsonl': lines(processStart(), { ...usage, count: 0 }, processStart(), { ...usage, stack: 3 }, ''),
    });
    const messages = (await readRun(dir)).problems.map((p) => `${p.where.split(':').pop()}: ${p.message}`);
    assert.deepEqual(messages, [
      '2: api_usage: count must be >= 1',
      '3: process_start must be the first and only one in a file',
      '4: api_usage: refers to stack 3, which no earlier record defines',
      '5: empty line',
    ]);
  });

  it('checks that process_start agrees with the file name', async () => {
    const run = await readRun(runDirWith({ '7-node-0.jsonl': lines(processStart({ pid: 8, source: 'node' })) }));
    assert.match(run.problems[0]!.message, /says node pid 8 but the file name says node pid 7/);
  });

  it('skips a file of another contract version with one clear problem', async () => {
    const dir = runDirWith({
      '100-native-0.jsonl': lines({ ...processStart(), v: 2 }, usage),
      '101-native-0.jsonl': lines(processStart({ pid: 101 })),
    });
    const run = await readRun(dir);
    assert.equal(run.problems.length, 1);
    assert.match(run.problems[0]!.message, /event contract version 2 is not supported \(this apitrace reads v1\); file skipped/);
    assert.equal(run.recordsByKind.get('process_start'), 1);
  });

  it('reports a file without process_start', async () => {
    const run = await readRun(runDirWith({ '100-native-0.jsonl': lines(usage) }));
    assert.deepEqual(
      run.problems.map((p) => p.message),
      ['api_usage before process_start (the first record must be process_start)', 'no process_start record: process identity unknown'],
    );
  });

  it('surfaces warning and error notices of emitters as problems', async () => {
    const run = await readRun(
      runDirWith({
        '100-node-0.jsonl': lines(
          processStart({ source: 'node' }),
          { kind: 'notice', level: 'warn', code: 'transform_failed', message: 'loaded untouched', subject: '/a.js' },
          { kind: 'notice', level: 'info', code: 'hello', message: 'not a problem' },
        ),
      }),
    );
    assert.deepEqual(
      run.problems.map((p) => p.message),
      ['transform_failed: loaded untouched (/a.js)'],
    );
  });

  it('orders files by pid, source and seq, numerically', async () => {
    const run = await readRun(
      runDirWith({
        '20-node-0.jsonl': lines(processStart({ pid: 20, source: 'node' })),
        '3-native-10.jsonl': lines(processStart({ pid: 3 })),
        '3-native-2.jsonl': lines(processStart({ pid: 3 })),
      }),
    );
    assert.deepEqual(
      run.files.map((f) => f.name),
      ['3-native-2.jsonl', '3-native-10.jsonl', '20-node-0.jsonl'],
    );
  });

  it('refuses a missing, empty, or foreign directory with one line', async () => {
    await assert.rejects(readRun('/nonexistent/run'), (e: Error) => e instanceof RunDirectoryError && /no such directory/.test(e.message));
    await assert.rejects(readRun(mkdtempSync(join(tmpdir(), 'empty-'))), /is empty/);
    await assert.rejects(readRun(runDirWith({ 'notes.txt': 'hi' })), /not an apitrace run directory/);
    const file = join(runDirWith({ f: '' }), 'f');
    await assert.rejects(readRun(file), /not a directory/);
  });

  it('accepts a run whose command recorded nothing, saying so', async () => {
    const run = await readRun(
      runDirWith({ 'run.json': JSON.stringify({ format: 'apitrace-run', v: 1, command: ['true'], cwd: '/', started: 'x', plugins: {} }) }),
    );
    assert.match(run.problems[0]!.message, /no event files/);
  });

  it('passes every valid record to the visitor, with its file', async () => {
    const seen: string[] = [];
    await readRun(runDirWith({ '1-native-0.jsonl': lines(processStart({ pid: 1 }), usage) }), (e, f) => seen.push(`${f.name}:${e.kind}`));
    assert.deepEqual(seen, ['1-native-0.jsonl:process_start', '1-native-0.jsonl:api_usage']);
  });

  it('lets a failing visitor fail the read instead of reporting the file as damaged', async () => {
    const dir = runDirWith({ '1-native-0.jsonl': lines(processStart({ pid: 1 }), usage) });
    await assert.rejects(
      readRun(dir, () => {
        throw new Error('analysis bug');
      }),
      /analysis bug/,
    );
  });
});
