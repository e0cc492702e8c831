import { strict as assert } from 'node:assert';
import type { ApitraceEvent } from '../../src/schema/events.generated.js';
import type { EventFileSummary } from '../../src/reader/run-reader.js';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { COLLECT_LIMITS, type CollectLimits, type LimitKind } from '../../src/model/collect-limits.js';
import { RunCollector } from '../../src/model/run-collector.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

function eventFile(pid: number, source: EventFileSummary['source'] = 'native'): EventFileSummary {
  const name = `${pid}-${source}-0.jsonl`;
  return { path: `/run/${name}`, name, pid, source, seq: 0, records: 0, rejected: 0, truncated: false };
}

/** The default allowances with one of them made small. */
function limitsWith(kind: LimitKind, entries: number, text = Infinity): CollectLimits {
  return { ...COLLECT_LIMITS, [kind]: { entries, text } };
}

function collect(limits: CollectLimits, records: [EventFileSummary, object][], maxCalls = 100): RunCollector {
  const collector = new RunCollector({ maxCalls, limits });
  for (const [file, event] of records) collector.visit(event as ApitraceEvent, file);
  return collector;
}

const NATIVE = eventFile(100);
const NODE = eventFile(100, 'node');
const open = (subject: string, count = 1, extra: object = {}): object => ({
  kind: 'api_usage',
  api: 'libc:open',
  category: 'file',
  caller: '/usr/bin/app',
  subject,
  count,
  first_t: 10,
  last_t: 20,
  ...extra,
});
const stack = (id: number, fn = `f${id}`, unit?: string): object => ({ kind: 'stack', id, frames: [{ lang: 'native', fn, ...(unit ? { unit } : {}) }] });

describe('collector allowances', () => {
  it('keeps at most the allowed distinct API usages, counts the records of the rest, and still counts known ones', () => {
    const collector = collect(limitsWith('apiUsages', 2), [
      [NATIVE, open('/a')],
      [NATIVE, open('/b')],
      [NATIVE, open('/c')],
      [NATIVE, open('/d', 5)],
      [NATIVE, open('/a', 7)],
    ]);
    assert.deepEqual(
      [...collector.usages.values()].map((u) => [u.subject, u.usageCount]),
      [
        ['/a', 8],
        ['/b', 1],
      ],
    );
    assert.deepEqual(collector.notKept(), { apiUsages: { refused: 2, reached: 'entries' } });
  });

  it('stops API usages at their text too: long subjects cannot buy memory with few keys', () => {
    const collector = collect(limitsWith('apiUsages', 1000, 200), [
      [NATIVE, open('/short')],
      [NATIVE, open(`/${'x'.repeat(500)}`)],
    ]);
    assert.deepEqual(
      [...collector.usages.values()].map((u) => u.subject),
      ['/short'],
    );
    assert.deepEqual(collector.notKept(), { apiUsages: { refused: 1, reached: 'text' } });
  });

  it('remembers the stack signatures of a usage within its text: a usage whose first use keeps moving earlier cannot grow without end', () => {
    const records: [EventFileSummary, object][] = [];
    for (let i = 1; i <= 50; i++) records.push([NODE, stack(i)], [NODE, open('/a', 1, { first_t: 1000 - i, stack: i })]);
    const collector = collect(limitsWith('apiUsages', 10, 400), records);
    const usage = [...collector.usages.values()][0]!;
    const remembered = usage.stackSignatures?.size ?? 0;
    assert.ok(remembered < 20, `${remembered} signatures`);
    assert.equal(usage.usageCount, 50);
    assert.equal(collector.notKept().apiUsages?.reached, 'text');
  });

  it('keeps at most the allowed code units, and does not let restated facts grow one past its text', () => {
    const unit = (path: string, needed?: string[]): object => ({
      kind: 'code_unit',
      t: 1,
      unit: 'shared_object',
      how: 'dlopen',
      path,
      ...(needed ? { needed } : {}),
    });
    const collector = collect(limitsWith('codeUnits', 2, 100), [
      [NATIVE, unit('/lib/a.so')],
      [NATIVE, unit('/lib/b.so', ['libc.so.6'])],
      [NATIVE, unit('/lib/c.so')],
      [NATIVE, unit('/lib/b.so', ['libc.so.6'])],
      [NATIVE, unit('/lib/a.so', ['x'.repeat(200)])],
    ]);
    assert.deepEqual([...collector.units.keys()], ['/lib/a.so', '/lib/b.so']);
    assert.equal(collector.units.get('/lib/a.so')!.needed, undefined);
    assert.equal(collector.units.get('/lib/a.so')!.loads, 2);
    assert.deepEqual(collector.units.get('/lib/b.so')!.needed, ['libc.so.6']);
    assert.deepEqual(collector.notKept(), { codeUnits: { refused: 2, reached: 'entries' } });
  });

  it('keeps at most the allowed inventoried functions, a unit counting as one', () => {
    const inventory = (unit: string, names: string[]): object => ({
      kind: 'function_inventory',
      t: 1,
      unit,
      functions: names.map((name) => ({ name, ran: true, hits: 1 })),
    });
    const collector = collect(limitsWith('functions', 4), [
      [NODE, inventory('/app', ['a', 'b', 'c', 'd'])],
      [NODE, inventory('/app', ['a'])],
      [NODE, inventory('/other', ['x', 'y'])],
    ]);
    assert.deepEqual(
      [...collector.inventories.get('/app')!.keys()].map((k) => k.split('\0')[1]),
      ['a', 'b', 'c'],
    );
    assert.equal(collector.inventories.get('/app')!.get('\0a\0\0')!.hits, 2);
    assert.equal(collector.inventories.has('/other'), false);
    // d, then x and y
    assert.deepEqual(collector.notKept(), { functions: { refused: 1 + 2, reached: 'entries' } });
  });

  it('keeps at most the allowed web APIs and notices', () => {
    const web = (route: string): object => ({ kind: 'web_api', direction: 'served', method: 'GET', route, count: 1, first_t: 1, last_t: 2 });
    const notice = (code: string): object => ({ kind: 'notice', level: 'info', code, message: 'm', t: 1 });
    const collector = collect({ ...limitsWith('webApis', 1), notices: { entries: 2, text: Infinity } }, [
      [NODE, web('/a')],
      [NODE, web('/b')],
      [NODE, web('/a')],
      [NODE, notice('x')],
      [NODE, notice('y')],
      [NODE, notice('z')],
      [NODE, notice('x')],
    ]);
    assert.deepEqual(
      [...collector.webApis.values()].map((w) => [w.route, w.count]),
      [['/a', 2]],
    );
    assert.deepEqual(
      [...collector.notices.values()].map((n) => [n.code, n.count]),
      [
        ['x', 2],
        ['y', 1],
      ],
    );
    assert.deepEqual(collector.notKept(), { webApis: { refused: 1, reached: 'entries' }, notices: { refused: 1, reached: 'entries' } });
  });

  it('keeps at most the allowed own-activity paths and threads', () => {
    const collector = collect({ ...limitsWith('ownPaths', 2), ownThreads: { entries: 1, text: Infinity } }, [
      [NODE, { kind: 'own_activity', t: 1, paths: ['/own/a', '/own/b'], tids: [7, 8] }],
      [NODE, { kind: 'own_activity', t: 2, paths: ['/own/a', '/own/c'] }],
      [NATIVE, { kind: 'api_usage', api: 'libc:read', category: 'file', caller: '/lib/libc.so.6', count: 1, first_t: 1, last_t: 2, tid: 7 }],
      [NATIVE, { kind: 'api_usage', api: 'libc:write', category: 'file', caller: '/lib/libc.so.6', count: 1, first_t: 1, last_t: 2, tid: 8 }],
    ]);
    assert.deepEqual([...collector.ownPaths], ['/own/a', '/own/b']);
    // thread 8 was not kept as the plugin's own: its usage counts
    assert.deepEqual(
      [...collector.usages.values()].map((u) => u.api),
      ['libc:write'],
    );
    assert.deepEqual(collector.notKept(), { ownPaths: { refused: 1, reached: 'entries' }, ownThreads: { refused: 1, reached: 'entries' } });
  });

  it('keeps at most the allowed stacks per process: a record referring to one not kept has no stack, the next process starts afresh', () => {
    const other = eventFile(200);
    const collector = collect(limitsWith('stacksPerProcess', 1), [
      [NATIVE, stack(1, 'one')],
      [NATIVE, stack(2, 'two')],
      [NATIVE, open('/a', 1, { stack: 1 })],
      [NATIVE, open('/b', 1, { stack: 2 })],
      [other, stack(1, 'three')],
      [other, open('/c', 1, { stack: 1 })],
    ]);
    const fns = (subject: string): string[] | undefined => collector.usages.get(`/usr/bin/app\0libc:open\0${subject}`)!.firstStack?.frames.map((f) => f.fn);
    // a merged native stack starts with the intercepted API, then the recorded frames
    assert.deepEqual(fns('/a'), ['open', 'one']);
    assert.deepEqual(fns('/b'), ['open', '?']);
    assert.deepEqual(fns('/c'), ['open', 'three']);
    assert.deepEqual(collector.notKept(), { stacksPerProcess: { refused: 1, reached: 'entries' } });
  });

  it('keeps at most the allowed code units of stack frames', () => {
    const collector = collect(limitsWith('frameUnits', 2), [
      [NATIVE, stack(1, 'a', '/lib/a.so')],
      [NATIVE, stack(2, 'b', '/lib/b.so')],
      [NATIVE, stack(3, 'c', '/lib/c.so')],
    ]);
    assert.deepEqual([...collector.frameUnits], ['/lib/a.so', '/lib/b.so']);
    assert.deepEqual(collector.notKept(), { frameUnits: { refused: 1, reached: 'entries' } });
  });

  it('keeps at most the allowed language spans per process: a native event under one not kept joins nothing', () => {
    const span = (t0: number, path: string): object => ({
      kind: 'call',
      api: 'node:fs.readFileSync',
      category: 'file',
      tid: 100,
      t0,
      t1: t0 + 100,
      args: { path },
    });
    const native = (t0: number): object => ({ kind: 'call', api: 'libc:openat', category: 'file', tid: 100, t0, t1: t0 + 1, caller: '/usr/bin/node' });
    const collector = collect(limitsWith('spansPerProcess', 1), [
      [NODE, span(1000, '/a')],
      [NODE, span(2000, '/b')],
      [NATIVE, native(1050)],
      [NATIVE, native(2050)],
    ]);
    assert.deepEqual(collector.joins, { exact: 1, inferred: 0, unjoined: 1 });
    assert.deepEqual(collector.notKept(), { spansPerProcess: { refused: 1, reached: 'entries' } });
  });

  it('makes at most the allowed merged stacks: past them a usage or call has none', () => {
    const collector = collect(limitsWith('mergedStacks', 1), [
      [NATIVE, stack(1)],
      [NATIVE, stack(2)],
      [NATIVE, open('/a', 1, { stack: 1 })],
      [NATIVE, open('/b', 1, { stack: 2 })],
    ]);
    assert.deepEqual(
      [...collector.usages.values()].map((u) => u.firstStack?.frames.at(-1)!.fn),
      ['f1', undefined],
    );
    assert.deepEqual(collector.notKept(), { mergedStacks: { refused: 1, reached: 'entries' } });
  });

  it('keeps individual calls within their text: calls with huge arguments are counted, not kept', () => {
    const call = (path: string): object => ({ kind: 'call', api: 'libc:openat', category: 'file', tid: 100, t0: 1, t1: 2, args: { path } });
    const collector = collect(limitsWith('keptCalls', Infinity, 100), [
      [NATIVE, call('/a')],
      [NATIVE, call(`/${'x'.repeat(200)}`)],
      [NATIVE, call('/b')],
    ]);
    assert.deepEqual(
      collector.calls.map((c) => c.args?.['path']),
      ['/a', '/b'],
    );
    assert.equal(collector.callsNotKept, 1);
    assert.equal(collector.usages.size, 3);
  });

  it('applies the allowances when it folds in what worker threads collected', () => {
    const worker = (subjects: string[]): RunCollector =>
      collect(
        limitsWith('apiUsages', 2),
        subjects.map((s) => [NATIVE, open(s)]),
      );
    const run = new RunCollector({ maxCalls: 100, limits: limitsWith('apiUsages', 3) });
    run.absorb(worker(['/a', '/b']).export());
    run.absorb(worker(['/a', '/c', '/d']).export());
    assert.deepEqual(
      [...run.usages.values()].map((u) => [u.subject, u.usageCount]),
      [
        ['/a', 2],
        ['/b', 1],
        ['/c', 1],
      ],
    );
    assert.deepEqual(run.notKept(), { apiUsages: { refused: 1, reached: 'entries' } });
  });
});

describe('buildAppModel past an allowance', () => {
  it('says once per kind what was not kept, in the problems and in the stats, and makes at most the allowed components', async () => {
    const subjects = Array.from({ length: 6 }, (_, i) => open(`/data/${i}`));
    const units = ['/opt/a/liba.so', '/opt/b/libb.so', '/opt/d/libd.so'].map((path) => ({
      kind: 'code_unit',
      t: 1,
      unit: 'shared_object',
      how: 'dlopen',
      path,
    }));
    const dir = runDir({ '100-native-0.jsonl': lines(processStart(), ...units, ...subjects) });
    const model = await buildAppModel(dir, { limits: { ...limitsWith('apiUsages', 4), components: { entries: 2, text: Infinity } }, hashFiles: false });
    assert.deepEqual(
      model.problems.map((p) => [p.severity, p.where, p.message]),
      [
        ['warn', dir, 'more than 4 distinct API usages: the records of the rest were counted but not kept (2 not kept)'],
        // libd.so, the caller /usr/bin/app and the executable /bin/sh
        ['warn', dir, 'more than 2 components: code of the rest is not identified (3 not kept)'],
      ],
    );
    assert.deepEqual(model.stats.notKept, { apiUsages: 2, components: 3 });
    assert.equal(model.apiUsages.length, 4);
    // the runtime (glibc) is always a component
    assert.deepEqual(model.components.map((c) => c.name).sort(), ['glibc', 'liba.so', 'libb.so']);
  });

  it('says nothing and adds no stats for a run within its allowances', async () => {
    const dir = runDir({ '100-native-0.jsonl': lines(processStart(), open('/a'), open('/b')) });
    const model = await buildAppModel(dir, { hashFiles: false });
    assert.deepEqual(model.problems, []);
    assert.equal('notKept' in model.stats, false);
  });
});
