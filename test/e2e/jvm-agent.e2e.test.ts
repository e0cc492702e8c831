// The JVM agent over a real Maven application (examples/java-app: Jackson, Guava,
// commons-lang3, H2, an HTTP server it calls with both JDK clients): what it records about
// methods, libraries, sensitive APIs with their Java stacks, and web APIs, and that the
// application behaves exactly as it does bare.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApitraceEvent, Call, CodeUnit, FunctionInventory, ProcessEnd, ProcessStart, Stack, WebApi } from '@apitrace/core';
import { CLI, JVM_AGENT, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { readValidRun } from '../support/runs.js';

const APP_DIR = join(REPO_ROOT, 'examples/java-app');
const APP_JAR = join(APP_DIR, 'target/java-app.jar');
const LIB = join(APP_DIR, 'target/lib');
const javaArgs = ['-cp', `${APP_JAR}:${LIB}/*`, 'dev.apitrace.example.App', 'data/orders.json'];

describe('jvm agent: the example Java application (end to end)', function () {
  this.timeout(240_000);
  const work = tempDir('jvm-agent');
  after(() => rmSync(work, { recursive: true, force: true }));

  let bare: Finished;
  let traced: Finished;
  let events: ApitraceEvent[];
  const ofKind = <K extends ApitraceEvent['kind']>(kind: K): Extract<ApitraceEvent, { kind: K }>[] =>
    events.filter((e): e is Extract<ApitraceEvent, { kind: K }> => e.kind === kind);
  const calls = (api: string): Call[] => ofKind('call').filter((c) => c.api === api);
  const stack = (id: number | undefined): Stack => {
    const s = ofKind('stack').find((x) => x.id === id);
    assert.ok(s, `stack ${id} is written`);
    return s;
  };
  /** name+sig -> ran over every inventory record of one class, merged as readers do. */
  const methods = (scope: string): Map<string, boolean> => {
    const ran = new Map<string, boolean>();
    for (const r of ofKind('function_inventory').filter((x: FunctionInventory) => x.scope === scope)) {
      for (const f of r.functions) ran.set(`${f.name}${f.sig}`, (ran.get(`${f.name}${f.sig}`) ?? false) || f.ran);
    }
    return ran;
  };

  before(async () => {
    bare = await runProgram('java', javaArgs, { cwd: APP_DIR, env: cleanEnv() });
    const dir = join(work, 'run');
    mkdirSync(dir);
    traced = await runProgram('java', [`-javaagent:${JVM_AGENT}`, ...javaArgs], { cwd: APP_DIR, env: cleanEnv({ APITRACE_DIR: dir }) });
    events = (await readValidRun(dir)).events.map((e) => e.event);
  });

  it('changes nothing the application does', () => {
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /^url connection: \{"id":42,/m);
    assert.equal(traced.stdout, bare.stdout);
    assert.equal(traced.stderr, bare.stderr);
    assert.equal(traced.status, bare.status);
    const end = ofKind('process_end')[0] as ProcessEnd;
    assert.equal(end.exit_code, 0);
    assert.equal(end.dropped, 0);
  });

  it('names every library jar with its Maven coordinates, loaded or only installed', () => {
    const units = ofKind('code_unit') as CodeUnit[];
    const unit = (file: string): CodeUnit | undefined => units.find((u) => u.path === join(LIB, file));
    assert.deepEqual(unit('jackson-databind-2.23.0.jar')?.maven, [{ group: 'com.fasterxml.jackson.core', artifact: 'jackson-databind', version: '2.23.0' }]);
    assert.equal(unit('jackson-databind-2.23.0.jar')?.how, 'classload');
    assert.deepEqual(unit('guava-33.8.0-jre.jar')?.maven, [{ group: 'com.google.guava', artifact: 'guava', version: '33.8.0-jre' }]);
    assert.deepEqual(unit('commons-lang3-3.22.0.jar')?.maven?.[0]?.artifact, 'commons-lang3');
    // H2's jar is not built by Maven: no pom.properties, reported as such.
    assert.deepEqual(unit('h2-2.5.252.jar')?.maven, []);
    assert.deepEqual(units.find((u) => u.path === APP_JAR)?.maven, [{ group: 'dev.apitrace.examples', artifact: 'java-app', version: '1.0.0' }]);
    const failureaccess = unit('failureaccess-1.0.3.jar');
    assert.equal(failureaccess?.how, 'scan');
    assert.equal(failureaccess?.loaded, false);
    assert.equal(failureaccess?.maven?.[0]?.artifact, 'failureaccess');
  });

  it('lists the methods of loaded classes with the ones that ran, and the classes never loaded', () => {
    const summary = methods('dev.apitrace.example.OrderSummary');
    assert.equal(summary.get('lines(Ljava/util/List;)Ljava/util/List;'), true);
    assert.equal(summary.get('<init>()V'), false);
    const multimaps = methods('com.google.common.collect.Multimaps');
    assert.equal(multimaps.get('index(Ljava/lang/Iterable;Lcom/google/common/base/Function;)Lcom/google/common/collect/ImmutableListMultimap;'), true);
    assert.ok([...multimaps.values()].includes(false), 'unused Guava methods are listed too');
    const guava = ofKind('function_inventory').filter((r) => r.scope === 'com.google.common.collect.Multimaps');
    assert.ok(guava.every((r) => r.unit === join(LIB, 'guava-33.8.0-jre.jar') && r.loaded === true));
    const unused = ofKind('function_inventory').filter((r) => r.scope === 'dev.apitrace.example.UnusedReport');
    assert.ok(unused.length > 0 && unused.every((r) => r.loaded === false && r.unit === APP_JAR && r.functions.every((f) => !f.ran)));
    assert.deepEqual(unused[0]?.functions.map((f) => f.name).sort(), ['<init>', 'title']);
  });

  it('records the file open as a span on the calling thread with the Java stack that made it', () => {
    const start = ofKind('process_start')[0] as ProcessStart;
    const open = calls('java:java.io.FileInputStream.<init>').find((c) => c.args?.['path'] === 'data/orders.json');
    assert.ok(open, 'the FileInputStream open of the orders file is recorded');
    assert.equal(open.category, 'file');
    assert.equal(open.tid, start.tid, 'main thread');
    assert.ok(open.t0 <= open.t1 && open.t0 >= start.t);
    assert.equal(open.caller, APP_JAR);
    const frames = stack(open.stack).frames;
    // Innermost first: the private open every FileInputStream constructor ends in, then the constructor.
    assert.deepEqual(
      frames.slice(0, 2).map((f) => f.fn),
      ['java.io.FileInputStream.open', 'java.io.FileInputStream.<init>'],
    );
    const read = frames.find((f) => f.fn === 'dev.apitrace.example.OrderFile.read');
    assert.deepEqual({ file: read?.file, unit: read?.unit, lang: read?.lang }, { file: 'OrderFile.java', unit: APP_JAR, lang: 'java' });
    assert.ok((read?.line ?? 0) > 0);
    assert.ok(frames.some((f) => f.fn === 'dev.apitrace.example.App.main'));
    const nio = calls('java:java.nio.file.Files.newInputStream').find((c) => c.args?.['path'] === 'data/orders.json');
    assert.ok(nio, 'Files.newInputStream for the checksum');
  });

  it('flags the weak hash, the string-built SQL, and masks SQL literals', () => {
    const md5 = calls('java:java.security.MessageDigest.getInstance').find((c) => c.args?.['algorithm'] === 'MD5');
    assert.deepEqual(md5?.flags, ['weak_algorithm']);
    assert.ok(stack(md5?.stack).frames.some((f) => f.fn === 'dev.apitrace.example.Checksums.etag'));
    const sha = calls('java:java.security.MessageDigest.getInstance').find((c) => c.args?.['algorithm'] === 'SHA-256' && c.caller === APP_JAR);
    assert.equal(sha?.flags, undefined);
    const query = calls('java:java.sql.Statement.executeQuery')[0];
    assert.equal(query?.args?.['sql'], 'SELECT item FROM orders WHERE customer = ? ORDER BY item');
    assert.deepEqual(query?.flags, ['concatenated_sql']);
    assert.equal(query?.caller, APP_JAR, 'the caller is the application, not the driver the hook sits in');
    const prepared = calls('java:java.sql.Connection.prepareStatement');
    assert.ok(prepared.some((c) => c.args?.['sql'] === 'INSERT INTO orders VALUES (?, ?, ?, ?)' && c.flags === undefined));
    assert.ok(!JSON.stringify(events).includes("'alice'"), 'no SQL literal reaches the file');
  });

  it('records the listening socket, and the web API served and called with route templates', () => {
    const bind = calls('java:java.nio.channels.ServerSocketChannel.bind')[0];
    const local = String(bind?.args?.['local']);
    assert.match(local, /^127\.0\.0\.1:\d+$/);
    const web = ofKind('web_api') as WebApi[];
    const key = (w: WebApi): string => `${w.direction} ${w.method} ${w.route} ${w.status} ${w.framework}`;
    assert.deepEqual([...new Set(web.map(key))].sort(), [
      'called GET /orders/:id 200 java.net.HttpURLConnection',
      'called GET /orders/:id 200 java.net.http.HttpClient',
      'called GET /orders/:id 404 java.net.HttpURLConnection',
      'served GET /orders/:id 200 com.sun.net.httpserver',
      'served GET /orders/:id 404 com.sun.net.httpserver',
    ]);
    assert.ok(web.every((w) => w.host === local && w.count >= 1 && w.dur_ns !== undefined && w.dur_ns.min <= w.dur_ns.max));
    const served200 = web.filter((w) => w.direction === 'served' && w.status === 200).reduce((n, w) => n + w.count, 0);
    assert.equal(served200, 2);
    const client = calls('java:java.net.http.HttpClient.send')[0];
    assert.equal(client?.args?.['url'], `http://${local}/orders/7`);
    assert.deepEqual(client?.result, { ret: 200 });
  });
});

describe('jvm agent with the native shim under apitrace run (end to end)', function () {
  this.timeout(240_000);
  const work = tempDir('jvm-native');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('puts the libc open of a Java file read inside its Java span, on the same thread', async () => {
    const dir = join(work, 'run');
    const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', 'java', ...javaArgs], { cwd: APP_DIR, env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    const recorded = (await readValidRun(dir)).events;
    const from = (source: string): ApitraceEvent[] => recorded.filter((e) => e.file.includes(`-${source}-`)).map((e) => e.event);
    const javaCalls = from('jvm').filter((e): e is Call => e.kind === 'call');
    const nativeCalls = from('native').filter((e): e is Call => e.kind === 'call');
    for (const [api, library] of [
      ['java:java.io.FileInputStream.<init>', 'libjava.so'],
      ['java:java.nio.file.Files.newInputStream', 'libnio.so'],
    ] as const) {
      const span = javaCalls.find((c) => c.api === api && c.args?.['path'] === 'data/orders.json');
      assert.ok(span, `${api} is recorded`);
      const inside = nativeCalls.filter(
        (n) => n.api.startsWith('libc:open') && n.args?.['path'] === 'data/orders.json' && n.tid === span.tid && n.t0 >= span.t0 && n.t1 <= span.t1,
      );
      assert.equal(inside.length, 1, `one native open inside ${api}`);
      assert.ok(inside[0]?.caller?.endsWith(library), inside[0]?.caller);
    }
  });
});
