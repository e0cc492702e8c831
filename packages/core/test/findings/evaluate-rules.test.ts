// The rule engine over synthetic runs (the real programs are in test/e2e/findings.e2e.test.ts).
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { evaluateRules } from '../../src/findings/evaluate-rules.js';
import { FINDING_RULES } from '../../src/findings/rules/index.js';
import { findingsText } from '../../src/findings/findings-output.js';
import { RepoPaths } from '../../src/sarif/repo-paths.js';
import { sarifJson } from '../../src/sarif/sarif-log.js';
import { sarifProblem } from '../../src/sarif/sarif-checks.js';
import { lines, processStart, runDirWith } from '../support/run-dirs.js';

const nodeStart = processStart({
  pid: 300,
  source: 'node',
  exe: '/usr/bin/node',
  argv: ['node', 'app.js'],
  cwd: '/srv/app',
  runtime: { name: 'node', version: '20.20.2' },
});

describe('finding rules', () => {
  const made: string[] = [];
  const runDir = (files: Record<string, string>): string => {
    const dir = runDirWith(files);
    made.push(dir);
    return dir;
  };
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('every rule is data: an id, a title, a severity, CWEs, an explanation and a fix', () => {
    const ids = new Set<string>();
    for (const rule of FINDING_RULES) {
      assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(!ids.has(rule.id), rule.id);
      ids.add(rule.id);
      assert.ok(rule.title.length > 5 && rule.explanation.length > 40 && rule.fix.length > 20, rule.id);
      assert.ok(rule.cwe.length > 0 && rule.cwe.every((c) => /^CWE-\d+$/.test(c)), rule.id);
    }
    assert.equal(FINDING_RULES.length, 11);
  });

  it('a flagged call is a finding with its stack; the same flags on an unflagged usage are not judged twice', async () => {
    const dir = runDir({
      '300-node-0.jsonl': lines(
        nodeStart,
        { kind: 'stack', id: 1, frames: [{ lang: 'js', fn: 'makeToken', file: '/srv/app/app.js', line: 3, col: 10, unit: '/srv/app' }] },
        { kind: 'stack', id: 2, frames: [{ lang: 'js', fn: 'shuffle', file: '/srv/app/app.js', line: 9, col: 10, unit: '/srv/app' }] },
        {
          kind: 'call',
          api: 'node:Math.random',
          category: 'random',
          tid: 300,
          t0: 10,
          t1: 11,
          stack: 1,
          caller: '/srv/app',
          flags: ['weak_random', 'secret_context'],
        },
        { kind: 'call', api: 'node:Math.random', category: 'random', tid: 300, t0: 12, t1: 13, stack: 2, caller: '/srv/app', flags: ['weak_random'] },
        {
          kind: 'call',
          api: 'node:crypto.createHash',
          category: 'crypto',
          tid: 300,
          t0: 14,
          t1: 15,
          stack: 2,
          caller: '/srv/app',
          args: { algorithm: 'md5' },
          flags: ['weak_algorithm'],
        },
        { kind: 'process_end', t: 100, reason: 'exit', exit_code: 0 },
      ),
    });
    const findings = evaluateRules(await buildAppModel(dir, { hashFiles: false }));
    assert.deepEqual(
      findings.map((f) => f.rule.id),
      ['weak-random-secret'],
      findingsText(findings, dir),
    );
    assert.equal(findings[0]!.frame?.fn, 'makeToken');
    assert.deepEqual(
      findings[0]!.stack.frames.map((f) => f.fn),
      ['Math.random', 'makeToken'],
    );
    const sarif = sarifJson(findings, new RepoPaths('/srv/app'));
    assert.equal(sarifProblem(sarif), undefined);
    assert.match(sarif, /"uri": "app.js"/);
  });

  it('weak-random-secret in native code: the named calling site decides; seeding and drawing there are one finding', async () => {
    const program = '/srv/app/build/ledger';
    const dir = runDir({
      '300-native-0.jsonl': lines(
        processStart({ pid: 300, exe: program, argv: ['ledger'] }),
        { kind: 'code_unit', t: 2, unit: 'shared_object', how: 'startup', path: program },
        // as the core names them: the inlined function first, then the function it was inlined into
        {
          kind: 'stack',
          id: 1,
          frames: [
            { lang: 'native', fn: 'make_session_token', unit: program, addr: '0x26c5' },
            { lang: 'native', fn: 'main', unit: program, addr: '0x26c5' },
          ],
        },
        {
          kind: 'stack',
          id: 2,
          frames: [
            { lang: 'native', fn: 'make_session_token', unit: program, addr: '0x2690' },
            { lang: 'native', fn: 'main', unit: program, addr: '0x2690' },
          ],
        },
        { kind: 'stack', id: 3, frames: [{ lang: 'native', fn: 'shuffle_deck', unit: program, addr: '0x3000' }] },
        { kind: 'stack', id: 4, frames: [{ lang: 'native', fn: '?', unit: program, addr: '0x3100' }] },
        { kind: 'api_usage', api: 'libc:rand', category: 'random', caller: program, count: 16, first_t: 5, last_t: 6, stack: 1, flags: ['weak_random'] },
        { kind: 'api_usage', api: 'libc:srand', category: 'random', caller: program, count: 1, first_t: 4, last_t: 6, stack: 2, flags: ['weak_random'] },
        { kind: 'api_usage', api: 'libc:random', category: 'random', caller: program, count: 52, first_t: 7, last_t: 8, stack: 3, flags: ['weak_random'] },
        { kind: 'api_usage', api: 'libc:drand48', category: 'random', caller: program, count: 1, first_t: 9, last_t: 9, stack: 4, flags: ['weak_random'] },
        { kind: 'process_end', t: 100, reason: 'exit', exit_code: 0 },
      ),
    });
    const findings = evaluateRules(await buildAppModel(dir, { hashFiles: false, dpkgRoot: '/nonexistent' }));
    const weak = findings.filter((f) => f.rule.id === 'weak-random-secret');
    assert.equal(weak.length, 1, findingsText(findings, dir));
    assert.equal(weak[0]!.api, 'libc:rand');
    assert.equal(weak[0]!.count, 17);
    assert.equal(weak[0]!.frame?.fn, 'make_session_token');
    assert.equal(weak[0]!.message, `libc:rand makes a secret in make_session_token [${program}]`);
  });

  it("native findings of a runtime or a distribution package are not the application's", async () => {
    const dir = runDir({
      '300-native-0.jsonl': lines(
        processStart({ pid: 300, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
        { kind: 'code_unit', t: 2, unit: 'shared_object', how: 'startup', path: '/srv/app/build/libfast.so' },
        {
          kind: 'api_usage',
          api: 'libc:strcpy',
          category: 'string',
          caller: '/srv/app/build/libfast.so',
          count: 3,
          first_t: 5,
          last_t: 6,
          flags: ['unsafe_string'],
        },
        {
          kind: 'call',
          api: 'libc:mprotect',
          category: 'memory',
          tid: 300,
          t0: 7,
          t1: 8,
          caller: '/srv/app/build/libfast.so',
          args: { prot: 'rwx' },
          flags: ['wx_memory'],
        },
        { kind: 'process_end', t: 100, reason: 'exit', exit_code: 0 },
      ),
    });
    const findings = evaluateRules(await buildAppModel(dir, { hashFiles: false, dpkgRoot: '/nonexistent' }));
    assert.deepEqual(findings.map((f) => f.rule.id).sort(), ['unsafe-c-string', 'writable-executable-memory']);
    assert.equal(findings.find((f) => f.rule.id === 'unsafe-c-string')!.count, 3);
    assert.match(sarifJson(findings, new RepoPaths('/srv/app')), /"uri": "build\/libfast.so"/);
  });
});

describe('SARIF checks', () => {
  it('refuse what code scanning would refuse', () => {
    assert.match(sarifProblem('{"version":"2.0.0","runs":[]}')!, /version/);
    const log = (result: object): string =>
      JSON.stringify({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 't', rules: [{ id: 'r', properties: { 'security-severity': '7.5' } }] } }, results: [result] }],
      });
    assert.match(sarifProblem(log({ ruleId: 'x', message: { text: 'm' }, locations: [] }))!, /names no rule/);
    assert.match(sarifProblem(log({ ruleId: 'r', message: { text: 'm' }, locations: [] }))!, /no location/);
    assert.match(
      sarifProblem(
        log({ ruleId: 'r', message: { text: 'm' }, locations: [{ physicalLocation: { artifactLocation: { uri: '/abs', uriBaseId: '%SRCROOT%' } } }] }),
      )!,
      /absolute/,
    );
    assert.equal(
      sarifProblem(
        log({
          ruleId: 'r',
          message: { text: 'm' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js', uriBaseId: '%SRCROOT%' }, region: { startLine: 3 } } }],
        }),
      ),
      undefined,
    );
  });
});
