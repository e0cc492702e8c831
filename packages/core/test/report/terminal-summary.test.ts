import { strict as assert } from 'node:assert';
import { groupProcessImages } from '../../src/model/process-images.js';
import { readRun } from '../../src/reader/run-reader.js';
import { formatRunSummary } from '../../src/report/terminal-summary.js';
import { lines, processStart, runDirWith } from '../support/run-dirs.js';

async function summaryOf(files: Record<string, string>): Promise<string> {
  const run = await readRun(runDirWith(files));
  return formatRunSummary(run, groupProcessImages(run.files));
}

describe('formatRunSummary', () => {
  it('lists processes with their sources and status, records per kind, and no problems', async () => {
    const text = await summaryOf({
      '10-native-0.jsonl': lines(processStart({ pid: 10, ppid: 9, argv: ['node', 'a b.js'] }), { kind: 'process_end', t: 5, reason: 'exit', exit_code: 0 }),
      '10-node-0.jsonl': lines(processStart({ pid: 10, ppid: 9, source: 'node', t: 1001 })),
      '11-native-0.jsonl': lines(processStart({ pid: 11, ppid: 10, t: 2000, argv: ['sh'] })),
      'run.json': JSON.stringify({
        format: 'apitrace-run',
        v: 1,
        command: ['node', 'a b.js'],
        cwd: '/',
        started: 'x',
        exit_status: 0,
        plugins: { native: 'injected', node: 'injected', jvm: 'missing' },
      }),
    });
    const body = text.split('\n').slice(1).join('\n');
    assert.equal(
      body,
      [
        "  command: node 'a b.js' (exit 0)",
        '  plugins: native injected, node injected, jvm missing',
        '  processes: 2',
        '    PID  PPID  SOURCES      STATUS         COMMAND',
        "    10   9     native,node  exit 0         node 'a b.js'",
        '    11   10    native       no end record  sh',
        '  records: 4 (process_end 1, process_start 3)',
        '  problems: none',
        '',
      ].join('\n'),
    );
  });

  it('keeps a run with many processes and problems to a screenful, a repeated problem on one line', async () => {
    const files: Record<string, string> = {};
    for (let pid = 1; pid <= 45; pid++) files[`${pid}-native-0.jsonl`] = lines(processStart({ pid, t: pid }), 'oops');
    const text = await summaryOf(files);
    assert.match(text, /processes: 45\n/);
    assert.match(text, /… and 33 more\n {2}records/);
    assert.match(text, /problems: 45\n {4}error: .*\(45 times; first at \S+1-native-0\.jsonl:2\)\n$/);
    assert.equal(text.split('\n').length, 1 + 1 + 1 + 12 + 1 + 1 + 1 + 1 + 1);
  });

  it("folds a process's worker threads into its row", async () => {
    const files: Record<string, string> = {
      '10-native-0.jsonl': lines(processStart({ pid: 10, argv: ['node', 'app.js'] }), { kind: 'process_end', t: 9000, reason: 'exit', exit_code: 0 }),
      '10-node-0.jsonl': lines(processStart({ pid: 10, source: 'node', t: 1001 })),
    };
    for (let seq = 1; seq <= 3; seq++) files[`10-node-${seq}.jsonl`] = lines(processStart({ pid: 10, source: 'node', t: 2000 + seq, origin: 'thread' }));
    const text = await summaryOf(files);
    assert.match(text, /processes: 1 \(and 3 worker threads\)\n/);
    assert.match(text, /\n {4}10 +\S+ +native,node \+3 threads +exit 0 +node app\.js\n/);
  });
});
