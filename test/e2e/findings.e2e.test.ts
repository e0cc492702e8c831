// Security findings over real programs: each rule is reported for a C, Node or Java program
// that does the unsafe thing on purpose (test/fixtures/findings/positive.*, Positive.java),
// and not for its safe counterpart (negative.*, Negative.java). apitrace run writes
// findings.json and findings.sarif; the tests read those and the apitrace findings command.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sarifProblem } from '@apitrace/core';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface FrameJson {
  lang: string;
  fn: string;
  file?: string;
  line?: number;
  unit?: string;
}
interface FindingJson {
  rule: string;
  severity: string;
  cwe: string[];
  message: string;
  fix: string;
  api: string;
  component: string;
  stack: { join: string; frames: FrameJson[] };
}
interface Run {
  dir: string;
  stdout: string;
  findings: FindingJson[];
}

const FINDINGS_DIR = join(FIXTURES, 'findings');

async function apitraceRun(dir: string, command: string[]): Promise<Run> {
  const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', ...command], { env: cleanEnv(), cwd: REPO_ROOT });
  assert.equal(r.status, 0, `${command.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /cannot write the fingerprint, findings or report/);
  const findings = (JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as { findings: FindingJson[] }).findings;
  return { dir, stdout: r.stdout, findings };
}

/** Did any emitter of the run write a record with this flag? (what a rule needs from the emitters) */
function recordedFlag(dir: string, flag: string): boolean {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .some((f) => readFileSync(join(dir, f), 'utf8').includes(`"${flag}"`));
}

const of = (run: Run, rule: string): FindingJson[] => run.findings.filter((f) => f.rule === rule);
const stackFns = (f: FindingJson): string[] => f.stack.frames.map((fr) => fr.fn);
const list = (run: Run): string => run.findings.map((f) => `${f.rule}: ${f.message}`).join('\n') || '(none)';

describe('security findings over real programs (end to end)', function () {
  this.timeout(240_000);
  const work = tempDir('findings');
  const runs: Record<string, Run> = {};

  before(async () => {
    for (const name of ['positive', 'negative']) {
      const program = join(work, `${name}-c`);
      // no -rdynamic or other flag for apitrace: native frames are named from the binary's own symbol table
      const cc = spawnSync('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-O0', '-o', program, join(FINDINGS_DIR, `${name}.c`), '-lssl', '-lcrypto'], {
        encoding: 'utf8',
      });
      assert.equal(cc.status, 0, cc.stderr);
      const scratch = join(work, `scratch-${name}`);
      mkdirSync(scratch);
      runs[`c-${name}`] = await apitraceRun(join(work, `run-c-${name}`), [program, scratch]);
      runs[`node-${name}`] = await apitraceRun(join(work, `run-node-${name}`), ['node', join(FINDINGS_DIR, `${name}.mjs`)]);
    }
    runs['sql-positive'] = await apitraceRun(join(work, 'run-sql-positive'), ['node', join(FINDINGS_DIR, 'sql.mjs'), 'concatenated']);
    runs['sql-negative'] = await apitraceRun(join(work, 'run-sql-negative'), ['node', join(FINDINGS_DIR, 'sql.mjs'), 'bound']);
    const classes = join(work, 'classes');
    const javac = spawnSync(
      'javac',
      ['-d', classes, join(FINDINGS_DIR, 'Positive.java'), join(FINDINGS_DIR, 'Negative.java'), join(FINDINGS_DIR, 'SqlOrders.java')],
      { encoding: 'utf8' },
    );
    assert.equal(javac.status, 0, javac.stderr);
    // H2 from the java-app example's dependencies (npm install builds them into target/lib)
    const h2 = readdirSync(join(REPO_ROOT, 'examples', 'java-app', 'target', 'lib')).find((f) => /^h2-.*\.jar$/.test(f));
    assert.ok(h2, 'examples/java-app/target/lib/h2-*.jar: build the examples (npm run build)');
    const sqlClasspath = `${classes}:${join(REPO_ROOT, 'examples', 'java-app', 'target', 'lib', h2)}`;
    runs['jdbc-positive'] = await apitraceRun(join(work, 'run-jdbc-positive'), ['java', '-cp', sqlClasspath, 'SqlOrders', 'concatenated']);
    runs['jdbc-negative'] = await apitraceRun(join(work, 'run-jdbc-negative'), ['java', '-cp', sqlClasspath, 'SqlOrders', 'bound']);
    runs['java-positive'] = await apitraceRun(join(work, 'run-java-positive'), ['java', '-cp', classes, 'Positive', work]);
    runs['java-negative'] = await apitraceRun(join(work, 'run-java-negative'), ['java', '-cp', classes, 'Negative', work]);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the observed programs behave as without apitrace', () => {
    assert.match(runs['c-positive']!.stdout, /^name alice\ntoken 1\nls 0\njit 1\nshared 1\ntls 1\n$/);
    assert.match(runs['node-positive']!.stdout, /login 200/);
    assert.match(runs['java-positive']!.stdout, /jndi no naming service/);
  });

  it('unsafe-c-string: strcpy in the C program, by its calling binary; none for snprintf', () => {
    const found = of(runs['c-positive']!, 'unsafe-c-string');
    assert.equal(found.length, 1, list(runs['c-positive']!));
    assert.match(found[0]!.message, /^strcpy\(\) called by positive-c/);
    assert.ok(
      found[0]!.stack.frames.some((f) => f.unit?.endsWith('/positive-c')),
      JSON.stringify(found[0]!.stack),
    );
    assert.deepEqual(of(runs['c-negative']!, 'unsafe-c-string'), [], list(runs['c-negative']!));
    // node's own strcpy calls (the runtime, a distribution package) are not the application's
    assert.deepEqual(of(runs['node-positive']!, 'unsafe-c-string'), []);
  });

  it('weak-random-secret: Math.random in makeSessionToken; none for randomBytes or a shuffle', () => {
    const found = of(runs['node-positive']!, 'weak-random-secret');
    assert.equal(found.length, 1, list(runs['node-positive']!));
    assert.ok(stackFns(found[0]!).includes('makeSessionToken'), stackFns(found[0]!).join(' < '));
    assert.equal(found[0]!.severity, 'high');
    assert.deepEqual(of(runs['node-negative']!, 'weak-random-secret'), [], list(runs['node-negative']!));
  });

  it('weak-random-secret: java.util.Random in generatePassword; none for SecureRandom or a seeded shuffle', () => {
    const found = of(runs['java-positive']!, 'weak-random-secret');
    assert.equal(found.length, 1, list(runs['java-positive']!));
    assert.ok(
      stackFns(found[0]!).some((fn) => fn.endsWith('generatePassword')),
      stackFns(found[0]!).join(' < '),
    );
    assert.deepEqual(of(runs['java-negative']!, 'weak-random-secret'), [], list(runs['java-negative']!));
  });

  it('weak-random-secret: srand() and rand() in the C make_session_token, named from its symbol table; none for getrandom', () => {
    // the shim cannot name functions: no record says secret_context, the named calling site does
    assert.equal(recordedFlag(runs['c-positive']!.dir, 'secret_context'), false);
    const found = of(runs['c-positive']!, 'weak-random-secret');
    assert.equal(found.length, 1, list(runs['c-positive']!));
    assert.equal(found[0]!.api, 'libc:rand');
    assert.deepEqual(stackFns(found[0]!).slice(0, 2), ['rand', 'make_session_token']);
    assert.ok(found[0]!.stack.frames[1]!.unit?.endsWith('/positive-c'), JSON.stringify(found[0]!.stack.frames));
    assert.match(found[0]!.message, /^libc:rand makes a secret in make_session_token \[/);
    assert.deepEqual(of(runs['c-negative']!, 'weak-random-secret'), [], list(runs['c-negative']!));
  });

  it('shell-execution: system() in C, child_process.exec in Node, sh -c in Java; none for exec without a shell', () => {
    const c = of(runs['c-positive']!, 'shell-execution');
    assert.equal(c.length, 1, list(runs['c-positive']!));
    assert.equal(c[0]!.api, 'libc:system');
    assert.match(c[0]!.message, /runs "ls .*scratch-positive > \/dev\/null"/);
    const node = of(runs['node-positive']!, 'shell-execution');
    assert.equal(node.length, 1, `one finding, not one more for node's fork+exec of /bin/sh: ${list(runs['node-positive']!)}`);
    assert.equal(node[0]!.api, 'node:child_process.exec');
    assert.ok(
      node[0]!.stack.frames.some((f) => f.file?.endsWith('findings/positive.mjs')),
      JSON.stringify(node[0]!.stack.frames),
    );
    const java = of(runs['java-positive']!, 'shell-execution');
    assert.equal(java.length, 1, list(runs['java-positive']!));
    assert.match(java[0]!.api, /^java:java\.lang\.Runtime\.exec/);
    assert.ok(
      stackFns(java[0]!).some((fn) => fn.endsWith('listDirectory')),
      stackFns(java[0]!).join(' < '),
    );
    for (const name of ['c-negative', 'node-negative', 'java-negative'])
      assert.deepEqual(of(runs[name]!, 'shell-execution'), [], `${name}: ${list(runs[name]!)}`);
  });

  it('tls-verification-disabled: SSL_VERIFY_NONE in C, rejectUnauthorized: false in Node; none with verification on', () => {
    const c = of(runs['c-positive']!, 'tls-verification-disabled');
    assert.equal(c.length, 1, list(runs['c-positive']!));
    assert.equal(c[0]!.api, 'openssl:SSL_CTX_set_verify');
    const node = of(runs['node-positive']!, 'tls-verification-disabled');
    assert.equal(node.length, 1, list(runs['node-positive']!));
    assert.ok(stackFns(node[0]!).includes('connectWithoutVerification'), stackFns(node[0]!).join(' < '));
    assert.deepEqual(of(runs['c-negative']!, 'tls-verification-disabled'), []);
    assert.deepEqual(of(runs['node-negative']!, 'tls-verification-disabled'), []);
  });

  it('weak-crypto: AES-ECB and MD5 for a password in Node, DES/ECB and MD5 in Java; none for AES-GCM, SHA-256, scrypt or an MD5 checksum', () => {
    const node = of(runs['node-positive']!, 'weak-crypto')
      .map((f) => f.message)
      .sort();
    assert.equal(node.length, 2, list(runs['node-positive']!));
    assert.match(node[0]!, /createCipheriv uses aes-128-ecb in encryptRecord/);
    assert.match(node[1]!, /createHash uses md5 in hashPassword/);
    const java = of(runs['java-positive']!, 'weak-crypto')
      .map((f) => f.message)
      .sort();
    assert.equal(java.length, 2, list(runs['java-positive']!));
    assert.match(java.join('\n'), /Cipher\.getInstance uses DES\/ECB\/PKCS5Padding/);
    assert.match(java.join('\n'), /MessageDigest\.getInstance uses MD5 .*hashPassword/);
    assert.deepEqual(of(runs['node-negative']!, 'weak-crypto'), [], list(runs['node-negative']!));
    assert.deepEqual(of(runs['java-negative']!, 'weak-crypto'), [], list(runs['java-negative']!));
  });

  it('writable-executable-memory: an RWX mmap in C; none for RW then RX, nor for the JITs of node and the JVM', () => {
    const found = of(runs['c-positive']!, 'writable-executable-memory');
    assert.equal(found.length, 1, list(runs['c-positive']!));
    assert.match(found[0]!.api, /^libc:mmap/);
    for (const name of ['c-negative', 'node-positive', 'java-negative'])
      assert.deepEqual(of(runs[name]!, 'writable-executable-memory'), [], `${name}: ${list(runs[name]!)}`);
  });

  it('world-writable-file: open 0666 under umask 0 in C, chmod 0666 in Node; none for 0600', () => {
    const c = of(runs['c-positive']!, 'world-writable-file');
    assert.equal(c.length, 1, list(runs['c-positive']!));
    assert.match(c[0]!.message, /scratch\.txt world-writable/);
    const node = of(runs['node-positive']!, 'world-writable-file');
    assert.equal(node.length, 1, list(runs['node-positive']!));
    assert.ok(stackFns(node[0]!).includes('shareScratchFile'));
    assert.deepEqual(of(runs['c-negative']!, 'world-writable-file'), []);
    assert.deepEqual(of(runs['node-negative']!, 'world-writable-file'), []);
  });

  it('plain-http-secret: an Authorization header over http://; none for a request without credentials', () => {
    const found = of(runs['node-positive']!, 'plain-http-secret');
    assert.equal(found.length, 1, list(runs['node-positive']!));
    assert.ok(stackFns(found[0]!).includes('sendCredentials'));
    assert.deepEqual(of(runs['node-negative']!, 'plain-http-secret'), []);
  });

  it('sql-concatenation: a statement built from its argument over better-sqlite3; none with a bound parameter', () => {
    assert.equal(runs['sql-positive']!.stdout, 'alice\n');
    const found = of(runs['sql-positive']!, 'sql-concatenation');
    assert.equal(found.length, 1, list(runs['sql-positive']!));
    assert.match(found[0]!.message, /select name from users where team = \?/);
    assert.ok(stackFns(found[0]!).includes('findUsersByTeam'), stackFns(found[0]!).join(' < '));
    assert.equal(runs['sql-negative']!.stdout, 'alice\n');
    assert.deepEqual(of(runs['sql-negative']!, 'sql-concatenation'), [], list(runs['sql-negative']!));
  });

  it('sql-concatenation: a JDBC query built from its argument (H2); none with a PreparedStatement parameter', () => {
    assert.equal(runs['jdbc-positive']!.stdout, 'orders 2\n');
    const found = of(runs['jdbc-positive']!, 'sql-concatenation');
    assert.equal(found.length, 1, list(runs['jdbc-positive']!));
    assert.match(found[0]!.message, /select count\(\*\) from orders where customer = \? in SqlOrders\.countOrdersOf/);
    assert.equal(runs['jdbc-negative']!.stdout, 'orders 2\n');
    assert.deepEqual(runs['jdbc-negative']!.findings, [], list(runs['jdbc-negative']!));
  });

  it('unsafe-deserialization: ObjectInputStream.readObject in Java; none for a DataInputStream', () => {
    const found = of(runs['java-positive']!, 'unsafe-deserialization');
    assert.equal(found.length, 1, list(runs['java-positive']!));
    assert.equal(found[0]!.severity, 'critical');
    assert.ok(
      stackFns(found[0]!).some((fn) => fn.endsWith('readOrders')),
      stackFns(found[0]!).join(' < '),
    );
    assert.deepEqual(of(runs['java-negative']!, 'unsafe-deserialization'), []);
  });

  it('jndi-lookup: InitialContext.lookup in Java; none in a program without one', () => {
    const found = of(runs['java-positive']!, 'jndi-lookup');
    assert.equal(found.length, 1, list(runs['java-positive']!));
    assert.match(found[0]!.message, /java:comp\/env\/jdbc\/orders/);
    assert.deepEqual(of(runs['java-negative']!, 'jndi-lookup'), []);
  });

  it('the negative programs have no finding at all', () => {
    for (const name of ['c-negative', 'node-negative', 'java-negative', 'sql-negative'])
      assert.deepEqual(runs[name]!.findings, [], `${name}: ${list(runs[name]!)}`);
  });

  it('findings.sarif: what code scanning accepts, with repo-relative URIs, the stack as a code flow and security-severity', async () => {
    interface Loc {
      physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
      message?: { text: string };
    }
    interface SarifResult {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: Loc[];
      codeFlows?: { threadFlows: { locations: { location: Loc }[] }[] }[];
      partialFingerprints: Record<string, string>;
    }
    interface SarifLog {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; properties: { tags: string[]; 'security-severity': string } }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: SarifResult[];
      }[];
    }
    for (const name of Object.keys(runs)) {
      const text = readFileSync(join(runs[name]!.dir, 'findings.sarif'), 'utf8');
      assert.equal(sarifProblem(text), undefined, name);
    }
    const log = JSON.parse(readFileSync(join(runs['node-positive']!.dir, 'findings.sarif'), 'utf8')) as SarifLog;
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'apitrace');
    const shellRule = run.tool.driver.rules.find((r) => r.id === 'shell-execution')!;
    assert.equal(shellRule.properties['security-severity'], '7.5');
    assert.ok(shellRule.properties.tags.includes('external/cwe/cwe-78'));
    assert.equal(run.originalUriBaseIds['%SRCROOT%']!.uri, pathToFileURL(REPO_ROOT).href);
    const weak = run.results.find((r) => r.ruleId === 'weak-random-secret')!;
    assert.equal(weak.level, 'error');
    assert.deepEqual(weak.locations[0]!.physicalLocation!.artifactLocation, { uri: 'test/fixtures/findings/positive.mjs', uriBaseId: '%SRCROOT%' });
    const line =
      readFileSync(join(FINDINGS_DIR, 'positive.mjs'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('Math.random')) + 1;
    assert.equal(weak.locations[0]!.physicalLocation!.region!.startLine, line);
    const flow = weak.codeFlows![0]!.threadFlows[0]!.locations.map((l) => l.location.message!.text);
    // outermost first, the API last
    assert.match(flow.at(-1)!, /Math\.random/);
    assert.ok(
      flow.some((t) => t.includes('makeSessionToken')),
      flow.join('\n'),
    );
    assert.match(Object.values(weak.partialFingerprints)[0]!, /^[0-9a-f]{64}$/);
    // a native finding of a binary outside the repository: an absolute file URI, no base
    const native = JSON.parse(readFileSync(join(runs['c-positive']!.dir, 'findings.sarif'), 'utf8')) as SarifLog;
    const strcpy = native.runs[0]!.results.find((r) => r.ruleId === 'unsafe-c-string')!;
    assert.match(strcpy.locations[0]!.physicalLocation!.artifactLocation.uri, /^file:\/\/\/.*\/positive-c$/);
    // and the Java frames are found in the repository by their source file name
    const java = JSON.parse(readFileSync(join(runs['java-positive']!.dir, 'findings.sarif'), 'utf8')) as SarifLog;
    const readObject = java.runs[0]!.results.find((r) => r.ruleId === 'unsafe-deserialization')!;
    assert.deepEqual(readObject.locations[0]!.physicalLocation!.artifactLocation, { uri: 'test/fixtures/findings/Positive.java', uriBaseId: '%SRCROOT%' });
  });

  it('apitrace findings prints the list, JSON equal to findings.json, and --fail-on exits 3', async () => {
    const dir = runs['node-positive']!.dir;
    const text = await runProgram(process.execPath, [CLI, 'findings', dir], { env: cleanEnv() });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^apitrace findings: .*: \d+ findings\n\nHIGH {2}/);
    assert.match(text.stdout, /fix: /);
    const json = await runProgram(process.execPath, [CLI, 'findings', dir, '--format', 'json'], { env: cleanEnv() });
    assert.equal(json.stdout, readFileSync(join(dir, 'findings.json'), 'utf8'));
    const gate = await runProgram(process.execPath, [CLI, 'findings', dir, '--fail-on', 'high'], { env: cleanEnv() });
    assert.equal(gate.status, 3);
    assert.match(gate.stderr, /^apitrace: \d+ findings at or above high/m);
    const clean = await runProgram(process.execPath, [CLI, 'findings', runs['c-negative']!.dir, '--fail-on', 'low'], { env: cleanEnv() });
    assert.equal(clean.status, 0, clean.stderr);
  });
});
