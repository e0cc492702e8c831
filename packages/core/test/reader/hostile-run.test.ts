// The run directory is written by the observed processes (and by an image for docker-run):
// the reader must neither follow, block on, nor echo what it is handed there.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_NESTING, readRun } from '../../src/reader/run-reader.js';
import { makeSeal, sealProblems } from '../../src/reader/run-seal.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

const runDirWith = runDirsRemovedAfterTests();
const SECRET = 'root:$6$s3cretHash:19000:0:99999:7:::';
const usage = { kind: 'api_usage', api: 'libc:open', category: 'file', caller: '/bin/sh', count: 2, first_t: 1, last_t: 2 };

function problemText(run: Awaited<ReturnType<typeof readRun>>): string {
  return run.problems.map((p) => `${p.where}: ${p.message}`).join('\n');
}

describe('readRun on a hostile run directory', () => {
  it('does not follow an event file that is a symbolic link, and quotes nothing of its target', async () => {
    const dir = runDirWith({ shadow: `${SECRET}\nbin:*:19000:0:99999:7:::\n`, '100-native-0.jsonl': lines(processStart(), usage) });
    symlinkSync(join(dir, 'shadow'), join(dir, '200-native-0.jsonl'));
    const run = await readRun(dir);
    assert.match(problemText(run), /200-native-0\.jsonl: skipped: it is a symbolic link/);
    assert.doesNotMatch(problemText(run), /s3cret|root:|bin:/);
    assert.equal(run.recordsByKind.get('api_usage'), 1);
  });

  it('skips a FIFO with an event file name instead of waiting for a writer', async () => {
    const dir = runDirWith({ '100-native-0.jsonl': lines(processStart(), usage) });
    execFileSync('mkfifo', [join(dir, '300-node-0.jsonl')]);
    const run = await readRun(dir);
    assert.match(problemText(run), /300-node-0\.jsonl: skipped: it is a FIFO, not a regular file/);
    assert.equal(run.recordsByKind.get('api_usage'), 1);
  });

  it('says once that a file with an event file name is not one, quoting none of it', async () => {
    const dir = runDirWith({ '400-native-0.jsonl': `${SECRET}\n`.repeat(50) });
    const run = await readRun(dir);
    assert.deepEqual(
      run.problems.map((p) => p.message),
      ['not an event file: its first line is not an apitrace record; file skipped'],
    );
  });

  it('never quotes the text of a line that is not JSON', async () => {
    const dir = runDirWith({ '100-native-0.jsonl': lines(processStart(), `{"kind": ${SECRET}`, usage) });
    const run = await readRun(dir);
    assert.match(problemText(run), /100-native-0\.jsonl:2: not JSON/);
    assert.doesNotMatch(problemText(run), /s3cret/);
  });

  it('skips a line of 150 MB of brackets as one problem and reads the records after it', async () => {
    const dir = runDirWith({});
    writeFileSync(join(dir, '100-native-0.jsonl'), lines(processStart()) + '['.repeat(150 * 1024 * 1024) + '\n' + lines(usage));
    const before = process.memoryUsage().rss;
    const run = await readRun(dir);
    assert.match(problemText(run), /:2: a line of 157286400 bytes, longer than the 1048576-byte limit: skipped/);
    assert.equal(run.recordsByKind.get('api_usage'), 1);
    // streamed past, never held: far less than the 150 MB it would take to keep the line
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
  });

  it('does not count brackets inside strings as nesting (JVM signatures hold them)', async () => {
    const signatures = { kind: 'notice', t: 3, level: 'warn', code: 'x', message: '[Ljava/lang/String;'.repeat(1000) + '\\"[[[' };
    const dir = runDirWith({ '100-native-0.jsonl': lines(processStart(), signatures) });
    const run = await readRun(dir);
    assert.equal(run.recordsByKind.get('notice'), 1);
    assert.doesNotMatch(problemText(run), /nested/);
  });

  it('refuses deep nesting before parsing it', async () => {
    const deep = '{"kind":"api_usage","x":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
    const dir = runDirWith({ '100-native-0.jsonl': lines(processStart(), deep, usage) });
    const run = await readRun(dir);
    assert.match(problemText(run), new RegExp(`:2: nested deeper than ${MAX_NESTING} levels: skipped`));
    assert.equal(run.recordsByKind.get('api_usage'), 1);
  });
});

describe('readRun on records the emitters really write', () => {
  it('reads a JVM inventory whose method descriptors hold hundreds of [ in strings (array arguments): brackets in strings do not nest', async () => {
    // commons-lang3's StringUtils: hundreds of methods taking arrays, `([Ljava/lang/String;)...`
    const functions = Array.from({ length: 250 }, (_, i) => ({ name: `join${i}`, sig: '([Ljava/lang/Object;[C)Ljava/lang/String;', ran: i === 7 }));
    const inventory = {
      kind: 'function_inventory',
      t: 5,
      unit: '/srv/app/lib/commons-lang3-3.22.0.jar',
      scope: 'org.apache.commons.lang3.StringUtils',
      loaded: true,
      functions,
    };
    const dir = runDirWith({ '100-jvm-0.jsonl': lines(processStart({ source: 'jvm', runtime: { name: 'java', version: '17.0.13' } }), inventory) });
    const run = await readRun(dir);
    assert.equal(problemText(run), '');
    assert.equal(run.recordsByKind.get('function_inventory'), 1);
  });

  it('still refuses deep nesting that hides behind a string with a quote escaped in it', async () => {
    const deep = '{"kind":"api_usage","s":"a\\"[[[","x":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const dir = runDirWith({ '100-native-0.jsonl': lines(processStart(), deep, usage) });
    const run = await readRun(dir);
    assert.match(problemText(run), new RegExp(`:2: nested deeper than ${MAX_NESTING} levels: skipped`));
  });
});

describe('the run seal', () => {
  const files = [
    { name: '1-native-0.jsonl', pid: 1, bytes: 10, sha256: 'a' },
    { name: '2-node-0.jsonl', pid: 2, bytes: 5, sha256: 'b' },
  ];
  const seal = makeSeal(files, 'f', new Date(0));

  it('finds nothing wrong with the files it sealed', () => {
    assert.deepEqual(sealProblems({ seal, files, commandPid: 1 }), []);
  });

  it('names a file removed, truncated, rewritten or added after the run ended', () => {
    const now = [
      { ...files[0]!, bytes: 4 },
      { name: '3-native-0.jsonl', pid: 3, bytes: 1 },
    ];
    assert.deepEqual(
      sealProblems({ seal, files: now }).map((p) => `${p.name}: ${p.message}`),
      [
        '1-native-0.jsonl: changed after the run ended: 4 bytes now, 10 when sealed',
        '2-node-0.jsonl: was removed after the run ended (the seal in run.json lists it)',
        '3-native-0.jsonl: appeared after the run ended (the seal in run.json does not list it)',
      ],
    );
    assert.deepEqual(
      sealProblems({ seal, files: [{ ...files[0]!, sha256: 'x' }, files[1]!] }).map((p) => p.message),
      ['changed after the run ended: its content no longer matches the seal'],
    );
  });

  it('says when the command itself left no event file, sealed or not', () => {
    assert.deepEqual(
      sealProblems({ seal: undefined, files, commandPid: 7 }).map((p) => p.message),
      ["the command's process (pid 7) left no event file: nothing was recorded for it (a statically linked program, or its file was removed)"],
    );
  });
});
