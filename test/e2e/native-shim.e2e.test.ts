// The native shim under `apitrace run`, over real programs: caller attribution that the core
// joins on (caller == code_unit path), calling sites the core names from the binary's symbols,
// native calls inside the JS span that caused them, TLS plaintext summarised without secrets,
// and children that scrub their environment.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppModel, type ApitraceEvent } from '@apitrace/core';
import { CLI, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';
import { readValidRun, type RecordedRun } from '../support/runs.js';

const TEST_PROGRAMS = `${REPO_ROOT}packages/native-shim/build/test-programs`;

type Kind<K extends ApitraceEvent['kind']> = Extract<ApitraceEvent, { kind: K }>;

/** `apitrace run --out <work>/run -- argv`, and what it recorded (every record schema-valid). */
async function traced(work: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<RecordedRun & { stdout: string }> {
  const out = join(work, 'run');
  const r = await runProgram(process.execPath, [CLI, 'run', '--out', out, '--', ...argv], { cwd: work, env: cleanEnv(env) });
  assert.equal(r.status, 0, r.stderr);
  return { ...(await readValidRun(out)), stdout: r.stdout };
}

/** The records of one kind from the native file(s) of the process whose argv[0] matches. */
function nativeOf<K extends ApitraceEvent['kind']>(run: RecordedRun, kind: K, argv0?: RegExp): { event: Kind<K>; file: string }[] {
  const pids = new Set(run.images.filter((i) => argv0 === undefined || argv0.test(i.argv?.[0] ?? '')).map((i) => String(i.pid)));
  return run.events
    .filter((e) => e.file.includes('-native-') && pids.has(e.file.split('-')[0]!) && e.event.kind === kind)
    .map((e) => ({ event: e.event as Kind<K>, file: e.file }));
}

describe('native shim under apitrace run (end to end)', () => {
  const works: string[] = [];
  const work = (name: string) => {
    const dir = tempDir(`shim-${name}`);
    works.push(dir);
    return dir;
  };
  after(() => works.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('sqlite3 with a script: its mallocs are attributed to libsqlite3, libz (linked, unused) calls nothing', async () => {
    const dir = work('sqlite');
    const script =
      'create table t(a integer, b text);' +
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) insert into t select i, 'row ' || i from n;" +
      'select count(*) from t;';
    const run = await traced(dir, ['sqlite3', join(dir, 'test.db'), script]);
    assert.equal(run.stdout, '5000\n');

    const units = nativeOf(run, 'code_unit', /sqlite3$/).map((u) => u.event);
    const libsqlite = units.find((u) => u.soname === 'libsqlite3.so.0');
    const exe = units.find((u) => u.how === 'startup' && u.needed?.includes('libsqlite3.so.0'));
    assert.ok(libsqlite && exe, `code units: ${units.map((u) => u.path).join(', ')}`);
    assert.ok(exe.needed?.includes('libz.so.1'), `the sqlite3 CLI should link libz: ${exe.needed?.join(',')}`);
    assert.match(libsqlite.build_id ?? '', /^[0-9a-f]{40}$/);

    const usage = nativeOf(run, 'api_usage', /sqlite3$/).map((u) => u.event);
    const unitPaths = new Set(units.map((u) => u.path));
    for (const u of usage) assert.ok(unitPaths.has(u.caller), `caller ${u.caller} is no code_unit path`);
    const mallocs = usage.filter((u) => u.api === 'libc:malloc' && u.caller === libsqlite.path).reduce((n, u) => n + u.count, 0);
    assert.ok(mallocs > 5000, `libsqlite3 malloc count ${mallocs}`);
    assert.deepEqual(
      usage.filter((u) => /libz\.so/.test(u.caller)),
      [],
    );

    const opens = nativeOf(run, 'call', /sqlite3$/)
      .map((c) => c.event)
      .filter((c) => c.args?.['path'] === join(dir, 'test.db'));
    const created = opens.find((c) => /O_RDWR\|O_CREAT/.test(String(c.args?.['oflags'])));
    assert.ok(created, `no open creating the database: ${JSON.stringify(opens)}`);
    assert.equal(created.caller, libsqlite.path);
  });

  it('names the calling function of a native call in the merged stack; a stripped copy keeps its build-id and offset, unnamed', async () => {
    const dir = work('symbols');
    // copies: the shim's build directory is apitrace's own, not the application
    const program = join(dir, 'findings');
    const stripped = join(dir, 'findings-stripped');
    copyFileSync(`${TEST_PROGRAMS}/findings`, program);
    execFileSync('strip', ['-o', stripped, program]);
    const scratch = join(dir, 'scratch');
    mkdirSync(scratch);

    const run = await traced(dir, [program, scratch]);
    const tokenAt = Number.parseInt(/make_secret_token=0x([0-9a-f]+)/.exec(run.stdout)![1]!, 16);
    const model = await buildAppModel(join(dir, 'run'));
    const component = model.components.find((c) => c.paths.includes(program))!;
    const rand = model.apiUsages.find((u) => u.api === 'libc:rand' && u.component === component.ref);
    const frames = rand?.stacks[0]?.frames ?? [];
    assert.deepEqual(
      frames.slice(0, 2).map((f) => [f.lang, f.fn, f.unit, f.component]),
      [
        ['native', 'rand', undefined, undefined],
        ['native', 'make_secret_token', program, component.ref],
      ],
    );
    const offset = Number.parseInt(frames[1]!.addr!, 16);
    assert.ok(offset > tokenAt && offset < tokenAt + 0x80, `rand returns to 0x${offset.toString(16)}, make_secret_token is at 0x${tokenAt.toString(16)}`);
    const system = model.calls.find((c) => c.api === 'libc:system' && c.component === component.ref);
    assert.equal(system?.stack?.frames[1]?.fn, 'run_shell_command', JSON.stringify(system?.stack));
    const symbols = model.nativeSymbols?.find((s) => s.component === component.ref);
    assert.ok(symbols && ['main', 'make_secret_token', 'run_shell_command'].every((fn) => symbols.calling.includes(fn)), JSON.stringify(symbols));
    assert.ok(
      model.nativeSymbols?.some((s) => s.called.includes('rand') && s.called.includes('system')),
      JSON.stringify(model.nativeSymbols),
    );
    const findings = JSON.parse(readFileSync(join(dir, 'run', 'findings.json'), 'utf8')) as { findings: { rule: string; location?: { fn: string } }[] };
    assert.equal(findings.findings.find((f) => f.rule === 'weak-random-secret')?.location?.fn, 'make_secret_token');

    const strippedDir = work('symbols-stripped');
    const strippedRun = await traced(strippedDir, [stripped, scratch]);
    const unit = nativeOf(strippedRun, 'code_unit')
      .map((u) => u.event)
      .find((u) => u.path === stripped);
    assert.match(unit?.build_id ?? '', /^[0-9a-f]{40}$/, "the stripped binary's build-id is recorded for naming it later");
    const strippedModel = await buildAppModel(join(strippedDir, 'run'));
    const strippedRand = strippedModel.apiUsages.find((u) => u.api === 'libc:rand' && u.stacks[0]?.frames[1]?.unit === stripped);
    assert.deepEqual(strippedRand?.stacks[0]?.frames[1]?.fn, '?');
    assert.equal(strippedRand?.stacks[0]?.frames[1]?.addr, frames[1]!.addr, 'the same offset as in the binary that was not stripped');
  });

  it("node's fs.readFileSync: the native open is on the same thread, inside the JS span", async () => {
    const run = await traced(work('node'), ['node', '-e', "require('fs').readFileSync('/etc/hostname')"]);
    const calls = run.events.filter((e): e is { file: string; event: Kind<'call'> } => e.event.kind === 'call');
    const span = calls.find((c) => c.file.includes('-node-') && c.event.api === 'node:fs.readFileSync')?.event;
    const open = calls.find((c) => c.file.includes('-native-') && c.event.args?.['path'] === '/etc/hostname')?.event;
    assert.ok(span && open, 'missing the JS span or the native open');
    assert.match(open.api, /^libc:open/);
    assert.equal(open.tid, span.tid);
    assert.ok(open.t0 >= span.t0 && open.t1 <= span.t1, `native [${open.t0}, ${open.t1}] not inside [${span.t0}, ${span.t1}]`);
  });

  it('an HTTPS request over OpenSSL: SNI, verify none, web_api with method, host and route only', async () => {
    const dir = work('tls');
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=api.example.test', '-days', '1', '-keyout', key, '-out', cert], {
      stdio: 'ignore',
    });
    const run = await traced(dir, [`${TEST_PROGRAMS}/tls_client`, cert, key]);
    assert.equal(run.stdout, 'ok\n');

    const webs = nativeOf(run, 'web_api').map((w) => w.event);
    assert.deepEqual(
      webs.map((w) => [w.direction, w.method, w.scheme, w.host, w.route, w.count]),
      [['called', 'GET', 'https', 'api.example.test:443', '/users/:id/orders/:id', 1]],
    );
    const calls = nativeOf(run, 'call').map((c) => c.event);
    assert.ok(
      calls.some((c) => c.api === 'openssl:SSL_ctrl' && c.args?.['host'] === 'api.example.test'),
      'no SNI',
    );
    assert.ok(
      calls.some((c) => c.api === 'openssl:SSL_CTX_set_verify' && c.flags?.includes('verify_none')),
      'no verify_none',
    );
    const text = JSON.stringify(run.events);
    for (const secret of ['sekrit', 'hunter2', 'Bearer']) assert.ok(!text.includes(secret), `${secret} reached the run`);
  });

  it('a child started with a scrubbed environment (env -i) is still recorded, and shell commands are flagged', async () => {
    const dir = work('scrubbed');
    writeFileSync(join(dir, 'x'), '');
    const run = await traced(dir, ['sh', '-c', 'env -i /bin/cat x; exit 0']);
    const cat = run.images.find((i) => i.argv?.[0] === '/bin/cat');
    assert.ok(cat, `no /bin/cat image in ${JSON.stringify(run.images.map((i) => i.argv))}`);
    const execs = nativeOf(run, 'call', /^env$/)
      .map((c) => c.event)
      .filter((c) => c.api.startsWith('libc:exec'));
    assert.ok(
      execs.some((c) => c.args?.['program'] === '/bin/cat'),
      `env's exec not recorded: ${JSON.stringify(execs)}`,
    );

    const python = await traced(work('shell'), ['python3', '-c', "import os; os.system('exit 0')"]);
    const system = nativeOf(python, 'call', /python3/)
      .map((c) => c.event)
      .find((c) => c.api === 'libc:system');
    assert.ok(system, 'no system() call record');
    assert.equal(system.args?.['command'], 'exit 0');
    assert.deepEqual(system.flags, ['shell']);
  });
});
