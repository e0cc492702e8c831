// The Node plugin's built-in API spans, web API inventory, database calls, workers and child
// processes, over real node programs (test/fixtures/node-builtins) loaded with
// `--import` of the built plugin. Every record is validated by the core's reader.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApitraceEvent } from '@apitrace/core';
import { FIXTURES, NATIVE_SHIM, NODE_PLUGIN } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { readValidRun } from '../support/runs.js';

/** Every string inside a value (keys and string values, not numbers). */
function textsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => textsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      out.push(key);
      textsIn(v, out);
    }
  }
  return out;
}

const APPS = `${FIXTURES}node-builtins/`;
/** the fixtures' own package.json makes this directory their code unit */
const APP_UNIT = APPS.replace(/\/$/, '');

type Event<K extends ApitraceEvent['kind']> = Extract<ApitraceEvent, { kind: K }>;
type Call = Event<'call'>;

interface Traced {
  bare: Finished;
  traced: Finished;
  files: Map<string, ApitraceEvent[]>;
  all: ApitraceEvent[];
  dir: string;
}

const toClean: string[] = [];
after(() => {
  for (const d of toClean) rmSync(d, { recursive: true, force: true });
});

async function trace(app: string, args: string[] = [], opts: { bare?: boolean } = {}): Promise<Traced> {
  const work = tempDir('node-builtins');
  toClean.push(work);
  const dir = join(work, 'run');
  const bare =
    opts.bare === false
      ? ({ status: 0, signal: null, stdout: '', stderr: '' } as Finished)
      : await runProgram('node', [join(APPS, app), ...args], { cwd: work, env: cleanEnv() });
  await runProgram('mkdir', ['-m', '700', dir]);
  const traced = await runProgram('node', ['--import', NODE_PLUGIN, join(APPS, app), ...args], { cwd: work, env: cleanEnv({ APITRACE_DIR: dir }) });
  assert.equal(traced.status, 0, traced.stderr);
  const { events } = await readValidRun(dir);
  const files = new Map<string, ApitraceEvent[]>();
  for (const { file, event } of events) {
    if (!files.has(file)) files.set(file, []);
    files.get(file)!.push(event);
  }
  return { bare, traced, files, all: events.map((e) => e.event), dir };
}

const calls = (events: ApitraceEvent[], api: string): Call[] => events.filter((e): e is Call => e.kind === 'call' && e.api === api);
const ofKind = <K extends ApitraceEvent['kind']>(events: ApitraceEvent[], kind: K): Event<K>[] => events.filter((e): e is Event<K> => e.kind === kind);
const stackOf = (events: ApitraceEvent[], id: number | undefined): Event<'stack'> | undefined => ofKind(events, 'stack').find((s) => s.id === id);

describe('node plugin: built-in APIs, web, databases, workers and children (end to end)', () => {
  describe('built-in spans', () => {
    let run: Traced;
    before(async () => {
      run = await trace('fs-process-crypto.mjs', ['100000']);
    });

    it('leaves the program output unchanged', () => {
      assert.equal(run.traced.stdout, run.bare.stdout);
      assert.equal(run.traced.stderr, run.bare.stderr);
    });

    it('records fs.readFileSync as a span on the main thread with path, caller, stack and result', () => {
      const start = ofKind(run.all, 'process_start')[0]!;
      const [read] = calls(run.all, 'node:fs.readFileSync').filter((c) => c.args?.['path'] === '/etc/hostname');
      assert.ok(read, 'no readFileSync span for /etc/hostname');
      assert.equal(read.tid, start.tid);
      assert.equal(read.category, 'file');
      assert.ok(read.t0 > start.t && read.t1 >= read.t0, `${read.t0}..${read.t1}`);
      assert.equal(read.caller, APP_UNIT);
      assert.match(String(read.result?.ret), /^string\(\d+\)$/);
      assert.equal(read.async, undefined);
      const stack = stackOf(run.all, read.stack);
      assert.ok(stack, 'stack written before use');
      assert.equal(stack.frames[0]!.file, join(APPS, 'fs-process-crypto.mjs'));
      assert.equal(stack.frames[0]!.line, 9);
    });

    it('records the errno of a failing call, and the async forms as async spans of the call itself', () => {
      const [missing] = calls(run.all, 'node:fs.readFileSync').filter((c) => c.args?.['path'] === '/nonexistent/apitrace');
      assert.deepEqual(missing?.result, { errno: 2, error: 'ENOENT' });
      for (const api of ['node:fs.readFile', 'node:fs.promises.readFile']) {
        const [c] = calls(run.all, api);
        assert.ok(c, api);
        assert.equal(c.async, true, api);
        assert.equal(c.args?.['path'], '/etc/hostname');
        assert.ok(c.t1 >= c.t0, api);
        assert.match(String(c.result?.ret), /^buffer\(\d+\)$/, 'the outcome is recorded once known');
      }
    });

    it('records shell use, the program of child processes, weak algorithms and weak randomness in secret context', () => {
      const [exec] = calls(run.all, 'node:child_process.execSync');
      assert.deepEqual(exec?.args, { program: '/bin/sh', command: 'echo hi' });
      assert.deepEqual(exec?.flags, ['shell']);
      assert.equal(calls(run.all, 'node:child_process.spawnSync')[0]?.args?.['program'], 'true');
      const hashes = calls(run.all, 'node:crypto.createHash');
      const md5 = hashes.find((c) => c.args?.['algorithm'] === 'md5');
      assert.deepEqual(md5?.flags, ['secret_context', 'weak_algorithm']);
      const sha = hashes.find((c) => c.args?.['algorithm'] === 'sha256');
      assert.equal(sha?.flags, undefined);
      const random = calls(run.all, 'node:Math.random');
      assert.ok(random.some((c) => c.flags?.includes('secret_context') && c.flags.includes('weak_random')));
    });

    it('counts a hot API in api_usage after the first spans per caller, losing no call', () => {
      const spans = calls(run.all, 'node:Math.random');
      const counted = ofKind(run.all, 'api_usage').filter((u) => u.api === 'node:Math.random');
      const total = spans.length + counted.reduce((n, u) => n + u.count, 0);
      assert.equal(total, 100_001); // the loop and makeSessionToken
      assert.ok(spans.length <= 2 * 16, `${spans.length} spans`);
      for (const u of counted) assert.deepEqual(u.flags?.includes('weak_random'), true);
    });

    it('does not record the module loader reading sources nor its own writes', () => {
      const paths = ofKind(run.all, 'call').map((c) => String(c.args?.['path'] ?? ''));
      assert.ok(!paths.some((p) => p.endsWith('fs-process-crypto.mjs') || p.includes('node-plugin/dist')), paths.join('\n'));
      assert.ok(!paths.some((p) => p.startsWith(run.dir)));
    });
  });

  it('puts the native open of fs.readFileSync inside its span on the same thread, and the pooled open of fs.readFile after its start on another', async () => {
    const work = tempDir('node-native-join');
    toClean.push(work);
    const dir = join(work, 'run');
    await runProgram('mkdir', ['-m', '700', dir]);
    const r = await runProgram('node', ['--import', NODE_PLUGIN, join(APPS, 'fs-process-crypto.mjs')], {
      cwd: work,
      env: cleanEnv({ APITRACE_DIR: dir, LD_PRELOAD: NATIVE_SHIM }),
    });
    assert.equal(r.status, 0, r.stderr);
    const { events } = await readValidRun(dir);
    const node = events.filter((e) => /-node-/.test(e.file)).map((e) => e.event);
    const pid = ofKind(node, 'process_start')[0]!.pid;
    const native = events.filter((e) => e.file.startsWith(`${pid}-native-`)).map((e) => e.event);
    const opens = ofKind(native, 'call').filter((c) => c.api.startsWith('libc:open') && c.args?.['path'] === '/etc/hostname');
    const [sync] = calls(node, 'node:fs.readFileSync').filter((c) => c.args?.['path'] === '/etc/hostname');
    const inside = opens.filter((o) => o.tid === sync!.tid && o.t0 >= sync!.t0 && o.t1 <= sync!.t1);
    assert.equal(inside.length, 1, `no native open inside [${sync!.t0}, ${sync!.t1}] on tid ${sync!.tid}`);
    const [cb] = calls(node, 'node:fs.readFile');
    assert.equal(cb!.async, true);
    // the core's inferred join: same path, another thread, inside [t0, t1 + its async window]
    const pooled = opens.filter((o) => o.tid !== cb!.tid && o.t0 >= cb!.t0 && o.t0 <= cb!.t1 + 2e9);
    assert.ok(pooled.length >= 1, 'the thread-pool open of fs.readFile follows its start on another thread');
    assert.equal(opens.filter((o) => o.tid === cb!.tid && o.t0 >= cb!.t0 && o.t1 <= cb!.t1).length, 0);
  });

  it('patches expensive built-ins when the application loads them, from require at once and from import at the next check', async () => {
    const cjs = await trace('lazy-builtins.cjs');
    assert.equal(cjs.traced.stdout, 'x\n');
    assert.equal(calls(cjs.all, 'node:zlib.gzipSync').length, 1);
    assert.equal(calls(cjs.all, 'node:zlib.gunzipSync').length, 1);
    const esm = await trace('lazy-builtins.mjs');
    assert.equal(esm.traced.stdout, 'y\n');
    assert.equal(calls(esm.all, 'node:zlib.gzipSync').length, 1);
    for (const run of [cjs, esm]) {
      const starts = ofKind(run.all, 'notice').filter((n) => n.code === 'builtin_not_patched');
      assert.deepEqual(starts, [], 'every table entry exists in this Node');
    }
  });

  it('follows worker threads into their own file (origin "thread", own tid)', async () => {
    const run = await trace('worker-main.mjs');
    assert.equal(run.traced.stdout, run.bare.stdout);
    const starts = [...run.files.values()].map((events) => ofKind(events, 'process_start')[0]!);
    assert.equal(starts.length, 2);
    const main = starts.find((s) => s.origin === 'start')!;
    const worker = starts.find((s) => s.origin === 'thread')!;
    assert.ok(main && worker);
    assert.equal(worker.pid, main.pid);
    assert.notEqual(worker.tid, main.tid);
    const workerEvents = [...run.files.values()].find((events) => events[0] === worker)!;
    const [read] = calls(workerEvents, 'node:fs.readFileSync');
    assert.equal(read?.tid, worker.tid);
    assert.equal(read?.args?.['path'], '/etc/hostname');
    assert.ok(ofKind(workerEvents, 'process_end').length === 1, 'worker file ends with process_end');
    const mainEvents = [...run.files.values()].find((events) => events[0] === main)!;
    assert.equal(calls(mainEvents, 'node:worker_threads.Worker')[0]?.args?.['path'], join(APPS, 'worker-body.mjs'));
  });

  it('follows node children that inherit NODE_OPTIONS; a child whose env drops it is not recorded', async () => {
    const work = tempDir('node-children');
    toClean.push(work);
    const dir = join(work, 'run');
    await runProgram('mkdir', ['-m', '700', dir]);
    const r = await runProgram('node', [join(APPS, 'children.mjs')], {
      cwd: work,
      env: cleanEnv({ APITRACE_DIR: dir, NODE_OPTIONS: `--import=${NODE_PLUGIN}` }),
    });
    assert.equal(r.status, 0, r.stderr);
    const pids = JSON.parse(r.stdout) as Record<string, number>;
    const { events } = await readValidRun(dir);
    const starts = ofKind(
      events.map((e) => e.event),
      'process_start',
    );
    const recorded = new Set(starts.map((s) => s.pid));
    const parent = starts.find((s) => !Object.values(pids).includes(s.pid))!;
    assert.ok(recorded.has(pids['fork']!), 'fork followed');
    assert.ok(recorded.has(pids['spawn']!), 'spawn of node followed');
    assert.ok(!recorded.has(pids['spawnWithoutNodeOptions']!), 'spawn with an env without NODE_OPTIONS is not followed');
    assert.ok(!recorded.has(pids['forkWithoutNodeOptions']!), 'fork with an env without NODE_OPTIONS is not followed');
    for (const pid of [pids['fork'], pids['spawn']]) {
      const child = starts.find((s) => s.pid === pid)!;
      assert.equal(child.ppid, parent.pid);
      const childFile = events.filter((e) => e.file.startsWith(`${pid}-node-`)).map((e) => e.event);
      assert.equal(calls(childFile, 'node:fs.readFileSync')[0]?.args?.['path'], '/etc/hostname');
    }
    const forks = calls(
      events.map((e) => e.event),
      'node:child_process.fork',
    );
    assert.equal(forks.length, 2);
    assert.equal(forks[0]!.args?.['path'], join(APPS, 'child.mjs'));
  });

  it('follows forks through process.execArgv when the plugin came on the command line, not spawned nodes', async () => {
    const work = tempDir('node-children-argv');
    toClean.push(work);
    const dir = join(work, 'run');
    await runProgram('mkdir', ['-m', '700', dir]);
    const r = await runProgram('node', ['--import', NODE_PLUGIN, join(APPS, 'children.mjs')], { cwd: work, env: cleanEnv({ APITRACE_DIR: dir }) });
    assert.equal(r.status, 0, r.stderr);
    const pids = JSON.parse(r.stdout) as Record<string, number>;
    const recorded = new Set(readdirSync(dir).map((f) => Number(f.split('-')[0])));
    assert.deepEqual(Object.fromEntries(Object.entries(pids).map(([how, pid]) => [how, recorded.has(pid)])), {
      fork: true,
      spawn: false,
      spawnWithoutNodeOptions: false,
      forkWithoutNodeOptions: true,
    });
  });

  describe('web API inventory', () => {
    let run: Traced;
    before(async () => {
      run = await trace('web-servers.mjs');
    });

    it('leaves the program output unchanged', () => {
      assert.equal(run.traced.stdout, run.bare.stdout);
    });

    it('records served routes from express, fastify and koa routers, else the templated path', () => {
      const served = ofKind(run.all, 'web_api').filter((w) => w.direction === 'served');
      const key = (w: Event<'web_api'>): string => `${w.framework ?? '-'} ${w.method} ${w.route} ${w.status}`;
      const counts = new Map<string, number>();
      for (const w of served) counts.set(key(w), (counts.get(key(w)) ?? 0) + w.count);
      assert.deepEqual(Object.fromEntries(counts), {
        'express GET /users/:id 200': 3,
        '- GET /missing/:id 404': 1,
        'fastify GET /orders/:orderId 200': 3,
        'koa GET /carts/:cartId 200': 2,
      });
      for (const w of served) {
        assert.match(w.host ?? '', /^127\.0\.0\.1:\d+$/);
        assert.ok(w.dur_ns && w.dur_ns.min <= w.dur_ns.max && w.dur_ns.sum >= w.dur_ns.max);
      }
    });

    it('records requests made by fetch and http.get with method, host, path template and status', () => {
      const called = ofKind(run.all, 'web_api').filter((w) => w.direction === 'called');
      const total = (route: string): number => called.filter((w) => w.route === route && w.method === 'GET').reduce((n, w) => n + w.count, 0);
      assert.equal(total('/users/:id'), 3);
      assert.equal(total('/orders/:id'), 3);
      assert.equal(total('/carts/:id'), 2);
      assert.ok(called.every((w) => /^127\.0\.0\.1:\d+$/.test(w.host ?? '')));
      const fetches = calls(run.all, 'node:fetch');
      assert.equal(fetches.length, 6);
      assert.ok(fetches.every((c) => c.async === true && typeof c.result?.ret === 'number'));
    });

    it('never stores authorization headers, cookies or query strings', () => {
      for (const file of readdirSync(run.dir)) {
        const text = readFileSync(join(run.dir, file), 'utf8');
        assert.ok(!/sekrit|Bearer|token=|api_key=/.test(text), `${file} holds a secret`);
      }
    });
  });

  describe('database calls', () => {
    let run: Traced;
    before(async () => {
      run = await trace('database.mjs');
    });

    it('leaves the program output unchanged', () => {
      assert.equal(run.traced.stdout, run.bare.stdout);
      assert.equal(run.traced.stdout, '[1,1,1,"refused","refused","refused","refused"]\n');
    });

    it('records better-sqlite3 statements with literals masked, flagging only SQL built from arguments', () => {
      const prepared = calls(run.all, 'npm:better-sqlite3.Database.prepare');
      const bySql = new Map(prepared.map((c) => [c.args?.['sql'], c]));
      assert.deepEqual(bySql.get('SELECT id FROM users WHERE name = ?')?.flags, undefined);
      const unsafe = prepared.filter((c) => c.flags?.includes('concatenated_sql'));
      assert.equal(unsafe.length, 1);
      assert.equal(unsafe[0]!.args?.['sql'], 'SELECT id FROM users WHERE name = ?');
      assert.equal(bySql.get('SELECT count(*) AS n FROM users WHERE id = ? AND name <> ?')?.flags, undefined);
      assert.equal(calls(run.all, 'npm:better-sqlite3.Database.exec')[0]?.args?.['sql'], 'CREATE TABLE users (id INTEGER, name TEXT)');
      assert.ok(prepared.every((c) => c.category === 'sql' && c.caller === APP_UNIT));
      assert.ok(!JSON.stringify(run.all).includes('alice'), 'a literal value reached the file');
    });

    it('records the native addon better-sqlite3 loads through process.dlopen', () => {
      const [dlopen] = calls(run.all, 'node:process.dlopen');
      assert.match(String(dlopen?.args?.['library']), /better_sqlite3\.node$/);
      assert.equal(dlopen?.category, 'dynload');
    });

    it('records pg queries (connection refused: no server runs here) with the SQL and the clue', () => {
      const [client] = calls(run.all, 'npm:pg.Client.query');
      assert.equal(client?.args?.['sql'], 'SELECT * FROM orders WHERE id = ?');
      assert.deepEqual(client?.flags, ['concatenated_sql']);
      assert.equal(client?.async, true);
      const pool = calls(run.all, 'npm:pg.Pool.query');
      assert.equal(pool.length, 1, 'the pool handing the query to its client is one call');
      assert.equal(pool[0]!.args?.['sql'], 'SELECT * FROM orders WHERE id = $1');
      assert.equal(pool[0]!.flags, undefined);
      // the literal as text anywhere (numbers are times, pids and tids, which may hold those digits)
      assert.ok(!textsIn(run.all).some((text) => text.includes('4711')), 'a literal value reached the file');
    });

    it('records mysql2 queries, callback and promise forms, with the SQL and the clue', () => {
      const [query] = calls(run.all, 'npm:mysql2.Connection.query');
      assert.equal(query?.args?.['sql'], 'SELECT * FROM users WHERE name = ?');
      assert.deepEqual(query?.flags, ['concatenated_sql']);
      assert.equal(query?.caller, APP_UNIT);
      const executes = calls(run.all, 'npm:mysql2.Connection.execute');
      assert.equal(executes.length, 1, 'the promise wrapper calling the connection is one call');
      assert.equal(executes[0]!.args?.['sql'], 'SELECT * FROM users WHERE id = ?');
      assert.equal(executes[0]!.flags, undefined);
      assert.equal(executes[0]!.caller, APP_UNIT);
      assert.ok(!JSON.stringify(run.all).includes('mallory'));
    });
  });

  it('keeps what the application observes of wrapped built-ins identical', async () => {
    const run = await trace('invariance.mjs');
    assert.equal(run.traced.stdout, run.bare.stdout);
    assert.equal(run.traced.stderr, run.bare.stderr);
  });

  it('changes nothing but one stderr line when APITRACE_DIR cannot be written, workers included', async () => {
    const work = tempDir('node-builtins-ro');
    toClean.push(work);
    writeFileSync(join(work, 'a-file'), '');
    const app = join(APPS, 'worker-main.mjs');
    const bare = await runProgram('node', [app], { cwd: work, env: cleanEnv() });
    const traced = await runProgram('node', ['--import', NODE_PLUGIN, app], { cwd: work, env: cleanEnv({ APITRACE_DIR: join(work, 'a-file', 'run') }) });
    assert.equal(traced.status, bare.status);
    assert.equal(traced.stdout, bare.stdout);
    const extra = traced.stderr.split('\n').filter((l) => l !== '' && !bare.stderr.includes(l));
    assert.equal(extra.length, 1, traced.stderr);
    assert.match(extra[0]!, /^apitrace: node: cannot write events to .*a-file\/run: .*\(recording off for this process\)$/);
  });
});
