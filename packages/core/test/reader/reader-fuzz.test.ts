// Property-based test of the run reader and the model's collector over damaged and hostile
// event files: whatever the bytes, the read ends, throws nothing, and reports problems as
// one-line messages (no stack trace). Bounded in runs and in time so it never slows CI much.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RunCollector } from '../../src/model/run-collector.js';
import { readRun } from '../../src/reader/run-reader.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

const runDirWith = runDirsRemovedAfterTests();

const VALID = lines(
  processStart(),
  { kind: 'stack', id: 1, frames: [{ fn: 'main', file: '/app/main.c', line: 3 }] },
  { kind: 'api_usage', api: 'libc:open', category: 'file', caller: '/bin/sh', count: 2, first_t: 1, last_t: 2, stack: 1 },
  { kind: 'notice', t: 3, level: 'warn', code: 'x', message: 'm' },
  { kind: 'process_end', t: 5, exit_code: 0 },
);

const textOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Files a careless crash or a hostile writer could leave under an event file name. */
const eventFileContent = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
  fc.nat({ max: VALID.length }).map((cut) => Buffer.from(VALID.slice(0, cut))),
  fc.array(fc.tuple(fc.nat({ max: VALID.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
    const bytes = Buffer.from(VALID);
    for (const [at, value] of edits) bytes[at] = value;
    return bytes;
  }),
  fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"kind":"stack","frames":['))
    .map(([depth, open]) => Buffer.from(lines(processStart()) + open.repeat(depth) + '\n')),
  fc
    .tuple(fc.integer({ min: 1024 * 1024 - 2, max: 1024 * 1024 + 2 }), fc.constantFrom('x', '"', ' '))
    .map(([length, c]) => Buffer.from(lines(processStart()) + c.repeat(length) + '\n' + VALID.split('\n')[2] + '\n')),
  fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 20 }).map((values) => Buffer.from(lines(processStart(), ...values.map((v) => JSON.stringify(v))))),
  fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }).map((parts) => Buffer.from(lines(processStart()) + parts.map(textOf).join('\n'))),
);

const manifestContent = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
  fc
    .jsonValue({ maxDepth: 4 })
    .map((v) =>
      Buffer.from(JSON.stringify({ format: 'apitrace-run', v: 1, command: ['x'], cwd: '/', started: 'x', plugins: { native: 'injected' }, pid: 100, seal: v })),
    ),
);

describe('the run reader under random and hostile input', function () {
  this.timeout(120_000);

  it('always ends, throws nothing and reports one-line problems', async () => {
    await fc.assert(
      fc.asyncProperty(eventFileContent, manifestContent, async (content, manifest) => {
        const dir = runDirWith({});
        writeFileSync(join(dir, '100-native-0.jsonl'), content);
        if (manifest) writeFileSync(join(dir, 'run.json'), manifest);
        const collector = new RunCollector({ maxCalls: 1000 });
        const run = await readRun(dir, collector.visit);
        for (const problem of run.problems) {
          assert.ok(!/\n/.test(problem.message), `a problem spans lines: ${problem.message}`);
          assert.ok(!/\bat .+:\d+:\d+\)?$/.test(problem.message), `a problem holds a stack trace: ${problem.message}`);
        }
        collector.export();
      }),
      // a failure prints its seed; APITRACE_FUZZ_SEED replays it
      { numRuns: 300, interruptAfterTimeLimit: 60_000, ...(process.env['APITRACE_FUZZ_SEED'] ? { seed: Number(process.env['APITRACE_FUZZ_SEED']) } : {}) },
    );
  });
});
