// Every runnable example under `apitrace run`, as its README tells a user to run it:
// the example's output is unchanged, and what the emitters recorded is what the
// example does (its process tree, its code, its calls).
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildAppModel,
  validateCycloneDx,
  type ApitraceEvent,
  type AppModel,
  type Component,
  type ModelCall,
  type ProcessImage,
  type RunContents,
} from '@apitrace/core';
import { CLI, JVM_AGENT, NATIVE_SHIM, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { readValidRun, type RecordedRun } from '../support/runs.js';

const EXAMPLES = join(REPO_ROOT, 'examples');

interface TracedExample {
  result: Finished;
  recorded: RecordedRun;
  model: AppModel;
  /** `apitrace:usage` of each CycloneDX component, by bom-ref */
  sbomUsage: Map<string, string>;
  findings: Finding[];
  /** SARIF results: rule and the repository-relative file:line they point at */
  sarif: { ruleId: string; where: string }[];
}

/** The fields of findings.json the examples are judged by. */
interface Finding {
  rule: string;
  component: string;
  api: string;
  location?: { file?: string; line?: number; fn?: string };
}

interface SarifLog {
  runs: { results: { ruleId: string; locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[] }[] }[];
}

interface CdxComponent {
  'bom-ref': string;
  properties?: { name: string; value: string }[];
}

const madeDirs: string[] = [];

/** A fresh temporary directory, removed after the tests of this file. */
function workDir(name: string): string {
  const dir = tempDir(`example-${name}`);
  madeDirs.push(dir);
  return dir;
}

/** `apitrace run --out DIR -- <command>` from the repository root, then the validated run. */
async function traceExample(name: string, command: string[]): Promise<TracedExample> {
  const out = join(workDir(name), 'run');
  const result = await runProgram(process.execPath, [CLI, 'run', '--out', out, '--', ...command], { cwd: REPO_ROOT, env: cleanEnv() });
  assert.equal(result.status, 0, `${name} under apitrace exited ${result.status}:\n${result.stderr}`);
  const cdxText = readFileSync(join(out, 'sbom.cdx.json'), 'utf8');
  assert.equal(await validateCycloneDx(cdxText), undefined);
  const cdx = JSON.parse(cdxText) as { metadata: { component?: CdxComponent }; components: CdxComponent[] };
  // The application itself is the document's subject (metadata.component), its dependencies the components.
  const described = [...(cdx.metadata.component ? [cdx.metadata.component] : []), ...cdx.components];
  const sbomUsage = new Map(described.map((c) => [c['bom-ref'], c.properties?.find((p) => p.name === 'apitrace:usage')?.value ?? '']));
  const findings = (JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { findings: Finding[] }).findings;
  const sarifLog = JSON.parse(readFileSync(join(out, 'findings.sarif'), 'utf8')) as SarifLog;
  const sarif = sarifLog.runs
    .flatMap((r) => r.results)
    .map((r) => {
      const at = r.locations?.[0]?.physicalLocation;
      return { ruleId: r.ruleId, where: `${at?.artifactLocation?.uri ?? '?'}:${at?.region?.startLine ?? '?'}` };
    });
  return { result, recorded: await readValidRun(out), model: await buildAppModel(out), sbomUsage, findings, sarif };
}

/** `examples/<path>:<line>` of the first line of an example's source that contains the text. */
function sourceLine(path: string, text: string): string {
  const line = readFileSync(join(EXAMPLES, path), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} not in ${path}`);
  return `examples/${path}:${line + 1}`;
}

function rulesOf(findings: Finding[], component: string): string[] {
  return [...new Set(findings.filter((f) => f.component === component).map((f) => f.rule))].sort();
}

/** The component that owns a file the run saw (a shared object, a jar, a module file). */
function componentWith(model: AppModel, path: RegExp): Component {
  const component = model.components.find((c) => c.paths.some((p) => path.test(p)));
  assert.ok(component, `no component has a path matching ${path}: ${model.components.map((c) => c.ref).join(', ')}`);
  return component;
}

/** Each API the component called, with the flags recorded on it. */
function flagsByApi(model: AppModel, component: Component): Map<string, string[]> {
  const byApi = new Map<string, string[]>();
  for (const u of model.apiUsages.filter((u) => u.component === component.ref))
    byApi.set(u.api, [...new Set([...(byApi.get(u.api) ?? []), ...u.flags])].sort());
  return byApi;
}

function nativeCalls(model: AppModel, api: RegExp, argument: (args: NonNullable<ModelCall['args']>) => boolean): ModelCall[] {
  return model.calls.filter((c) => c.source === 'native' && api.test(c.api) && c.args !== undefined && argument(c.args));
}

function frameNames(call: ModelCall): string {
  return (call.stack?.frames ?? []).map((f) => `${f.lang}:${f.fn ?? '?'}`).join(' < ');
}

function describeTree(images: ProcessImage[]): string {
  return JSON.stringify(images.map((i) => ({ pid: i.pid, ppid: i.ppid, sources: i.sources, argv: i.argv })));
}

function imageOf(run: RecordedRun, predicate: (image: ProcessImage) => boolean, what: string): ProcessImage {
  const image = run.images.find(predicate);
  assert.ok(image, `no ${what} in ${describeTree(run.images)}`);
  return image;
}

function eventsOf(run: RecordedRun, pid: number, source: string): ApitraceEvent[] {
  return run.events.filter((e) => e.file.startsWith(`${pid}-${source}-`)).map((e) => e.event);
}

function filesOf(run: RunContents, pid: number, source: string) {
  return run.files.filter((f) => f.pid === pid && f.source === source);
}

describe('examples under apitrace run (end to end)', () => {
  after(() => {
    for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  describe('native: SQLite and OpenSSL over loopback TLS', () => {
    const ledger = join(EXAMPLES, 'native', 'build', 'ledger');
    let traced: TracedExample;
    before(async () => {
      traced = await traceExample('native', [ledger]);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(
        traced.result.stdout,
        'accounts loaded: total balance 435\n' + 'balance of bob: 75\n' + 'session token: 16 hex characters\n' + 'tls status check: 200 ledger service ok\n',
      );
    });

    it('is recorded by the native shim as one process that ended with status 0', () => {
      const { images } = traced.recorded;
      assert.equal(images.length, 1, describeTree(images));
      const image = images[0]!;
      assert.deepEqual(image.sources, ['native']);
      assert.equal(image.exe, ledger);
      assert.equal(image.end?.exit_code, 0);
      assert.equal(image.endMissing, false);
    });

    it('marks the program, SQLite and OpenSSL used in the SBOM', () => {
      const { model, sbomUsage } = traced;
      for (const path of [/\/examples\/native\/build\/ledger$/, /\/libsqlite3\.so[.\d]*$/, /\/libssl\.so[.\d]*$/]) {
        const component = componentWith(model, path);
        assert.equal(component.usage, 'used', component.ref);
        assert.equal(sbomUsage.get(component.ref), 'used', component.ref);
      }
    });

    it('records its loopback TLS exchange: the listen, the connect to it and the TLS reads and writes', () => {
      const { model } = traced;
      const ledgerCalls = flagsByApi(model, componentWith(model, /\/build\/ledger$/));
      for (const api of ['libc:listen', 'libc:connect', 'libc:accept', 'openssl:SSL_write', 'openssl:SSL_read'])
        assert.ok(ledgerCalls.has(api), `${api} from ledger: ${[...ledgerCalls.keys()].join(', ')}`);
      const listened = model.apiUsages.find((u) => u.api === 'libc:listen' && u.subject?.startsWith('127.0.0.1:'))?.subject;
      assert.ok(listened, 'listen on 127.0.0.1');
      assert.ok(
        model.apiUsages.some((u) => u.api === 'libc:connect' && u.subject === listened),
        `a connect to ${listened}`,
      );
    });

    it('records the three findings it triggers on purpose, from its own code, and no other flag', () => {
      const { model } = traced;
      const ledgerCalls = flagsByApi(model, componentWith(model, /\/build\/ledger$/));
      assert.deepEqual(ledgerCalls.get('libc:strcpy'), ['unsafe_string']);
      assert.deepEqual(ledgerCalls.get('libc:rand'), ['weak_random']);
      assert.deepEqual(ledgerCalls.get('openssl:SSL_CTX_set_verify'), ['verify_none']);
      const allFlags = new Set([...ledgerCalls.values()].flat());
      assert.deepEqual([...allFlags].sort(), ['unsafe_string', 'verify_none', 'weak_random']);
      assert.ok(!ledgerCalls.has('libc:strtok'), 'the CSV is split with strtok_r');
    });

    it('reports TLS verification off, the unbounded strcpy and the weak token as findings of the program, and nothing else', () => {
      const { model, findings } = traced;
      const ledger = componentWith(model, /\/build\/ledger$/).ref;
      assert.deepEqual(rulesOf(findings, ledger), ['tls-verification-disabled', 'unsafe-c-string', 'weak-random-secret']);
      assert.deepEqual(findings.find((f) => f.rule === 'unsafe-c-string')?.api, 'libc:strcpy');
      assert.deepEqual(
        findings.filter((f) => f.component !== ledger).map((f) => `${f.rule} ${f.component}`),
        [],
        "the libraries it loads are their vendors' business",
      );
    });

    // make_session_token is static and -O2 inlines it into main: the symbol table names main, the
    // DWARF of the -g build names the inlined function the rand() call came from
    it('reports rand() in make_session_token as a weak random secret', () => {
      const { model, findings } = traced;
      const ledger = componentWith(model, /\/build\/ledger$/).ref;
      const weak = findings.find((f) => f.rule === 'weak-random-secret' && f.component === ledger);
      assert.equal(weak?.api, 'libc:rand');
      assert.equal(weak?.location?.fn, 'make_session_token');
      const symbols = model.nativeSymbols?.find((s) => s.component === ledger);
      assert.ok(symbols?.calling.includes('make_session_token') && symbols.calling.includes('main'), JSON.stringify(symbols));
    });
  });

  describe('node-express: express, better-sqlite3, fetch to a local service, a shell command', () => {
    let traced: TracedExample;
    before(async () => {
      traced = await traceExample('node-express', ['node', 'examples/node-express/app.mjs']);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(
        traced.result.stdout,
        'GET /users/2 -> 200 {"id":2,"name":"bob","team":"search"}\n' +
          'GET /users/9 -> 404 {"error":"no such user"}\n' +
          'GET /search?team=payments -> 200 [{"id":1,"name":"alice"},{"id":3,"name":"carol"}]\n' +
          'POST /sessions -> 201 session for alice, token of 32 hex characters\n' +
          'GET /teams/payments/budget -> 200 {"team":"payments","budget":4}\n' +
          'GET /about -> 200 user directory of the node-express example\n' +
          'GET /users-file/lines -> 200 {"lines":5}\n',
      );
    });

    it('records node under both the shim and the node plugin, and the shell it runs below it', () => {
      const run = traced.recorded;
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      assert.deepEqual([...node.sources].sort(), ['native', 'node']);
      assert.equal(node.end?.exit_code, 0);
      assert.ok(filesOf(run.run, node.pid, 'node')[0]?.end, 'the node plugin wrote process_end');

      // exec() goes through /bin/sh -c, which runs wc: both are children in the recorded tree.
      const shell = imageOf(run, (i) => i.argv?.[0] === '/bin/sh' && i.argv[1] === '-c', 'shell running the command');
      assert.equal(shell.ppid, node.pid);
      assert.match(shell.argv![2]!, /^wc -l < '.*\/examples\/node-express\/data\/users\.json'$/);
      assert.equal(shell.end?.exit_code, 0);
      const wc = imageOf(run, (i) => i.argv?.[0] === 'wc', 'wc');
      assert.equal(wc.ppid, shell.pid);
      assert.equal(wc.end?.exit_code, 0);
    });

    it('records every route it serves with its express template, and the calls it makes', () => {
      const web = (direction: string): string[] =>
        traced.model.webApis
          .filter((w) => w.direction === direction)
          .map((w) => `${w.framework ?? '-'} ${w.method} ${w.route} ${w.status} x${w.count}`)
          .sort();
      assert.deepEqual(web('served'), [
        '- GET /budgets/payments 200 x1',
        'express GET /about 200 x1',
        'express GET /search 200 x1',
        'express GET /teams/:team/budget 200 x1',
        'express GET /users-file/lines 200 x1',
        'express GET /users/:id 200 x1',
        'express GET /users/:id 404 x1',
        'express POST /sessions 201 x1',
      ]);
      assert.ok(web('called').includes('- GET /budgets/payments 200 x1'), `the outbound fetch to the budget service: ${web('called').join(', ')}`);
    });

    it('marks the app, express and better-sqlite3 used in the SBOM', () => {
      const { model, sbomUsage } = traced;
      for (const path of [/\/examples\/node-express\/app\.mjs$/, /\/node_modules\/express\/index\.js$/, /\/node_modules\/better-sqlite3\/lib\//]) {
        const component = componentWith(model, path);
        assert.equal(component.usage, 'used', component.ref);
        assert.equal(sbomUsage.get(component.ref), 'used', component.ref);
      }
      assert.equal(componentWith(model, /\/node_modules\/express\/index\.js$/).ref, 'pkg:npm/express@5.3.0');
    });

    it('marks serve-static loaded (express requires it, the app serves no files) and prebuild-install installed only', () => {
      const { model, sbomUsage } = traced;
      const byName = (name: string): Component => {
        const component = model.components.find((c) => c.kind === 'npm' && c.name === name);
        assert.ok(component, `no component ${name}`);
        return component;
      };
      // express.static is serve-static: loaded with express, never called here.
      assert.equal(byName('serve-static').usage, 'loaded');
      assert.equal(sbomUsage.get(byName('serve-static').ref), 'loaded');
      // better-sqlite3 declares prebuild-install for its install step only: on disk, never loaded.
      assert.equal(byName('prebuild-install').usage, 'installed');
      assert.equal(sbomUsage.get(byName('prebuild-install').ref), 'installed');
    });

    it('puts the JS frames above the native open of users.json (exact) and of about.txt read on the thread pool (inferred)', () => {
      const { model } = traced;
      const openOf = (file: string): ModelCall => {
        const opens = nativeCalls(model, /^libc:open/, (a) => String(a['path']).endsWith(`/examples/node-express/data/${file}`)).filter(
          (c) => c.process === String(model.processes.find((p) => p.argv?.[0] === 'node')?.id),
        );
        assert.equal(opens.length, 1, `${file}: ${JSON.stringify(opens)}`);
        return opens[0]!;
      };
      const seed = openOf('users.json');
      assert.equal(seed.stack?.join, 'exact', frameNames(seed));
      assert.equal(seed.stack?.spanApi, 'node:fs.readFileSync');
      assert.ok(
        seed.stack?.frames.some((f) => f.lang === 'js' && f.fn === 'openDirectory'),
        frameNames(seed),
      );
      const about = openOf('about.txt');
      assert.equal(about.stack?.join, 'inferred', frameNames(about));
      assert.equal(about.stack?.matchedOn, 'path');
      assert.equal(about.stack?.spanApi, 'node:fs.promises.readFile');
    });

    it('records the findings it triggers on purpose, from its own code, and no other flag', () => {
      const { model } = traced;
      const app = componentWith(model, /\/examples\/node-express\/app\.mjs$/);
      const ownCalls = model.calls.filter((c) => c.component === app.ref);
      const withFlag = (flag: string): ModelCall[] => ownCalls.filter((c) => c.flags.includes(flag));

      const random = withFlag('weak_random');
      assert.ok(
        random.length > 0 && random.every((c) => c.api === 'node:Math.random' && c.flags.includes('secret_context')),
        'Math.random in makeSessionToken',
      );
      assert.ok(random.every((c) => c.stack?.frames.some((f) => f.fn === 'makeSessionToken')));

      assert.deepEqual(
        withFlag('concatenated_sql').map((c) => c.args?.['sql']),
        ['SELECT id, name FROM users WHERE team = ? ORDER BY id'],
      );
      const byId = ownCalls.find((c) => c.args?.['sql'] === 'SELECT id, name, team FROM users WHERE id = ?');
      assert.ok(byId, 'the prepared statement of GET /users/:id');
      assert.deepEqual(byId.flags, []);

      assert.deepEqual(
        withFlag('shell').map((c) => c.args?.['command']),
        [`wc -l < '${join(EXAMPLES, 'node-express', 'data', 'users.json')}'`],
      );

      const allFlags = new Set(model.apiUsages.filter((u) => u.component === app.ref).flatMap((u) => u.flags));
      assert.deepEqual([...allFlags].sort(), ['concatenated_sql', 'secret_context', 'shell', 'weak_random']);
    });

    it('reports exactly those three findings in app.mjs, each at its source line in SARIF', () => {
      const { model, findings, sarif } = traced;
      const app = componentWith(model, /\/examples\/node-express\/app\.mjs$/).ref;
      assert.deepEqual(rulesOf(findings, app), ['shell-execution', 'sql-concatenation', 'weak-random-secret']);
      assert.equal(findings.find((f) => f.rule === 'weak-random-secret')?.location?.fn, 'makeSessionToken');
      assert.equal(findings.find((f) => f.rule === 'sql-concatenation')?.location?.fn, 'membersOf');
      const inApp = sarif
        .filter((r) => r.where.startsWith('examples/node-express/'))
        .map((r) => `${r.ruleId} ${r.where}`)
        .sort();
      assert.deepEqual(inApp, [
        `shell-execution ${sourceLine('node-express/app.mjs', 'await run(`wc -l')}`,
        `sql-concatenation ${sourceLine('node-express/app.mjs', 'const membersOf =')}`,
        `weak-random-secret ${sourceLine('node-express/app.mjs', 'Math.floor(Math.random()')}`,
      ]);
    });
  });

  describe('polyglot: Node, an in-process JVM through java-bridge, and native code in one pid', () => {
    let traced: TracedExample;
    const expectedOutput =
      'price list of the polyglot example\n' +
      'java read 3 catalog lines: apples 3, pears 5, plums 8\n' +
      'java sha-256 of the catalog: c11af91cf9be85e32df0f323e5c0eb92ef79d7e1f5600f5a5d078a36bdadb040\n' +
      'java asked the line server: plums costs 8\n' +
      'node fetched: pears costs 5 (status 200)\n';
    before(async () => {
      traced = await traceExample('polyglot', ['node', 'examples/polyglot/app.mjs']);
    });

    it('prints its fixed report unchanged', () => {
      assert.equal(traced.result.stdout, expectedOutput);
    });

    it('records the shim, the node plugin and the JVM agent all in the node process', () => {
      const run = traced.recorded;
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      assert.deepEqual([...node.sources].sort(), ['jvm', 'native', 'node']);
      assert.equal(node.end?.exit_code, 0);
      const jvmStart = filesOf(run.run, node.pid, 'jvm')[0]?.start;
      assert.equal(jvmStart?.exe, node.exe, 'the JVM lives in the node executable');
      assert.equal(jvmStart?.runtime.name, 'java');
      assert.deepEqual(jvmStart?.argv, ['node', 'examples/polyglot/app.mjs']);
    });

    it('loads the agent once although both JAVA_TOOL_OPTIONS and the JVM options name it', () => {
      const run = traced.recorded;
      assert.equal(run.run.manifest?.plugins.jvm, 'injected');
      assert.match(traced.result.stderr, /^Picked up JAVA_TOOL_OPTIONS: .*-javaagent:/m);
      const node = imageOf(run, (i) => i.argv?.[0] === 'node', 'node process');
      const jvmFiles = filesOf(run.run, node.pid, 'jvm');
      assert.equal(jvmFiles.length, 1, jvmFiles.map((f) => f.name).join(', '));
      const starts = eventsOf(run, node.pid, 'jvm').filter((e) => e.kind === 'process_start');
      assert.equal(starts.length, 1);
    });

    it('marks the example, java-bridge, its native binding and the JVM library used in the SBOM', () => {
      const { model, sbomUsage } = traced;
      for (const path of [
        /\/examples\/polyglot\/app\.mjs$/,
        /\/node_modules\/java-bridge\/dist\/index\.prod\.min\.js$/,
        /\/java-bridge-linux-x64-gnu\/java\.linux-x64-gnu\.node$/,
        /\/libjvm\.so$/,
      ]) {
        const component = componentWith(model, path);
        assert.equal(component.usage, 'used', component.ref);
        assert.equal(sbomUsage.get(component.ref), 'used', component.ref);
      }
      assert.equal(componentWith(model, /\/node_modules\/java-bridge\/dist\/index\.prod\.min\.js$/).ref, 'pkg:npm/java-bridge@2.8.0');
    });

    it('puts the JS frames of app.mjs above the native open of the file Node reads (exact join)', () => {
      const { model } = traced;
      const opens = nativeCalls(model, /^libc:open/, (a) => String(a['path']).endsWith('/examples/polyglot/data/greeting.txt'));
      assert.equal(opens.length, 1, JSON.stringify(opens));
      const stack = opens[0]!.stack;
      assert.equal(stack?.join, 'exact', frameNames(opens[0]!));
      assert.equal(stack?.spanApi, 'node:fs.readFileSync');
      assert.equal(stack?.frames[0]?.lang, 'native');
      assert.ok(
        stack?.frames.some((f) => f.lang === 'js' && f.file?.endsWith('/examples/polyglot/app.mjs')),
        frameNames(opens[0]!),
      );
    });

    it('sees Java read the catalog natively on the main thread and connect from a java-bridge worker thread', () => {
      const { model } = traced;
      const node = model.processes.find((p) => p.argv?.[0] === 'node')!;
      const javaOpens = nativeCalls(model, /^libc:open/, (a) => String(a['path']).endsWith('/examples/polyglot/data/catalog.txt')).filter((c) =>
        c.caller?.endsWith('/libnio.so'),
      );
      assert.equal(javaOpens.length, 2, 'Files.readAllLines and Files.readAllBytes each open it once');
      for (const open of javaOpens) assert.equal(open.tid, node.pid, 'a synchronous java-bridge call runs on the main thread');

      // The only loopback ports are the example's two servers: Java connects to one of them (the line server).
      const ports = nativeCalls(model, /^libc:listen$/, (a) => /^127\.0\.0\.1:\d+$/.test(String(a['local']))).map(
        (c) => String(c.args!['local']).split(':')[1],
      );
      assert.equal(ports.length, 2, 'the line server and the HTTP server listen');
      const javaConnects = nativeCalls(model, /^libc:connect$/, (a) => ports.some((port) => String(a['peer']).endsWith(`:${port}`))).filter((c) =>
        c.caller?.endsWith('/libnio.so'),
      );
      assert.equal(javaConnects.length, 1, JSON.stringify(javaConnects));
      assert.ok(javaConnects[0]!.caller?.endsWith('/libnio.so'), javaConnects[0]!.caller);
      assert.notEqual(javaConnects[0]!.tid, node.pid, 'an asynchronous java-bridge call runs on a worker thread');
    });

    // A JVM that java-bridge starts inside node is never destroyed and its shutdown hooks never run;
    // the agent writes an embedded JVM's records every 50 ms, so the Java spans are on disk by exit.
    it('puts the Java frames of the example library above the native calls Java makes (exact joins)', () => {
      const { model } = traced;
      const javaFrame = (call: ModelCall, method: string): boolean =>
        call.stack?.frames.some((f) => f.lang === 'java' && f.fn === `dev.apitrace.examples.polyglot.CatalogChecks.${method}`) ?? false;
      const javaOpens = nativeCalls(model, /^libc:open/, (a) => String(a['path']).endsWith('/examples/polyglot/data/catalog.txt')).filter((c) =>
        c.caller?.endsWith('/libnio.so'),
      );
      for (const method of ['readCatalog', 'sha256Of']) {
        const open = javaOpens.find((c) => javaFrame(c, method));
        assert.ok(open, `no native open under CatalogChecks.${method}: ${javaOpens.map(frameNames).join(' | ')}`);
        assert.equal(open.stack?.join, 'exact');
        assert.match(open.stack?.spanApi ?? '', /^java:java\.nio\.file\.Files\./);
        assert.equal(open.stack?.frames[0]?.lang, 'native');
      }
      const connect = model.calls.find((c) => c.source === 'native' && c.api === 'libc:connect' && javaFrame(c, 'askServer'));
      assert.ok(connect, 'no native connect under CatalogChecks.askServer');
      assert.equal(connect.stack?.join, 'exact', 'Java and the native connect share the java-bridge worker thread');
      assert.equal(connect.stack?.spanApi, 'java:java.net.Socket.connect');

      const library = componentWith(model, /\/examples\/polyglot\/build\/polyglot-lib\.jar$/);
      assert.equal(library.ref, 'pkg:maven/dev.apitrace.examples/polyglot-lib@0.1.0');
      assert.equal(library.usage, 'used');
      assert.equal(traced.sbomUsage.get(library.ref), 'used');
    });

    it('reports no finding in its own code (app.mjs and polyglot-lib.jar)', () => {
      const { model, findings } = traced;
      const app = componentWith(model, /\/examples\/polyglot\/app\.mjs$/);
      assert.deepEqual(rulesOf(findings, app.ref), []);
      // The library's own records can be lost when node exits (see the pending test below): judge it by its purl.
      assert.deepEqual(
        findings.filter((f) => f.component.startsWith('pkg:maven/dev.apitrace.examples/polyglot-lib@')).map((f) => f.rule),
        [],
      );
    });

    it('records the web APIs Node serves and calls', () => {
      const web = traced.model.webApis.map((w) => `${w.direction} ${w.method} ${w.route} ${w.status}`).sort();
      assert.deepEqual(web, ['called GET /prices/pears 200', 'served GET /prices/pears 200']);
    });

    it('records the JVM from the agent named in ensureJvm options alone', async () => {
      // No apitrace run and no JAVA_TOOL_OPTIONS: only the example's own -javaagent option.
      const dir = join(workDir('polyglot-opts'), 'run');
      mkdirSync(dir, { mode: 0o700 });
      const result = await runProgram('node', ['examples/polyglot/app.mjs'], {
        cwd: REPO_ROOT,
        env: cleanEnv({ APITRACE_DIR: dir, LD_PRELOAD: NATIVE_SHIM, APITRACE_JVM_AGENT: JVM_AGENT }),
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, expectedOutput);
      assert.doesNotMatch(result.stderr, /JAVA_TOOL_OPTIONS/);
      const { run } = await readValidRun(dir);
      const jvm = run.files.filter((f) => f.source === 'jvm');
      assert.equal(jvm.length, 1, run.files.map((f) => f.name).join(', '));
      const native = run.files.find((f) => f.source === 'native' && f.start?.argv?.[0] === 'node');
      assert.equal(jvm[0]!.pid, native?.pid, 'the JVM agent writes from the node process');
    });
  });
});
