// Secrets in what real programs do never reach a run directory or apitrace's output: SQL
// literals and comments (better-sqlite3 under the Node plugin, H2 under the JVM agent), a token
// in a URL path (a Node HTTP client and server), and a MySQL password glued to -p (argv under
// the native shim, a shell command, Node and Java child processes). Every file apitrace run
// writes is searched.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';

const FIXTURE_DIR = join(FIXTURES, 'secret-masking');
// written in sql-and-urls.mjs, never in its argv (a bare argv word is no URL path)
const TOKEN = '0123456789abcdef0123456789abcdef01234567';

async function apitraceRun(dir: string, command: string[]): Promise<Finished> {
  const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', ...command], { env: cleanEnv(), cwd: REPO_ROOT });
  assert.equal(r.status, 0, `${command.join(' ')}: ${r.stderr}`);
  return r;
}

/** Every regular file under dir (links are not followed). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

/** Which of the secrets appear in which file of the run, or in apitrace's output. */
function leaks(dir: string, run: Finished, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const texts: [string, string][] = [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ...filesUnder(dir).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
  ];
  for (const [where, text] of texts) for (const secret of secrets) if (text.includes(secret)) found.push(`${secret} in ${where}`);
  return found;
}

/** The recorded records of one kind with one field, from the run's event files. */
function recorded(dir: string, predicate: (record: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return filesUnder(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    )
    .filter(predicate);
}

describe('secrets stay out of the run directory (end to end)', function () {
  this.timeout(240_000);
  const work = tempDir('secret-masking');
  const mysql = join(work, 'bin', 'mysql');

  before(() => {
    // A stand-in client: /bin/true under the name whose -p takes a password.
    mkdirSync(join(work, 'bin'));
    copyFileSync('/bin/true', mysql);
    chmodSync(mysql, 0o755);
  });

  it('masks SQL literals and comments, and a token in a URL path (Node plugin)', async () => {
    const dir = join(work, 'run-sql-and-urls');
    const run = await apitraceRun(dir, ['node', join(FIXTURE_DIR, 'sql-and-urls.mjs')]);
    assert.match(run.stdout, /select ok\nunterminated refused\nfetched 200\n/);
    const sql = recorded(dir, (r) => r['category'] === 'sql').map((r) => (r['args'] as { sql?: string } | undefined)?.sql);
    assert.ok(sql.includes('SELECT ? AS a -- ?'), `recorded SQL: ${JSON.stringify(sql)}`);
    assert.ok(sql.includes('SELECT v FROM t WHERE v = ?'), `recorded SQL: ${JSON.stringify(sql)}`);
    const urls = recorded(dir, (r) => r['category'] === 'http' && typeof (r['args'] as { url?: unknown } | undefined)?.url === 'string');
    assert.ok(
      urls.some((r) => /\/reset\/\*\*\*$/.test((r['args'] as { url: string }).url)),
      'no client span with the masked URL',
    );
    assert.deepEqual(
      leaks(dir, run, [
        'secret-comment-ddl',
        'secret-value-insert',
        'secret-comment-block',
        'secret-value-select',
        'secret-comment-line',
        '73656372657448455821',
        '31415926535',
        'secret-unterminated',
        TOKEN,
      ]),
      [],
    );
  });

  it('masks a password glued to -p of mysql in argv and in a shell command (native shim)', async () => {
    const dir = join(work, 'run-mysql-argv');
    const run = await apitraceRun(dir, [mysql, '-uroot', '-pSECRET-PW-ARGV', 'shop']);
    const argv = recorded(dir, (r) => r['kind'] === 'process_start').map((r) => r['argv']);
    assert.deepEqual(argv, [[mysql, '-uroot', '-p***', 'shop']]);
    const shellDir = join(work, 'run-mysql-shell');
    const shell = await apitraceRun(shellDir, ['sh', '-c', `${mysql} -uroot -pSECRET-PW-SHELL shop; true`]);
    assert.deepEqual(leaks(dir, run, ['SECRET-PW-ARGV']), []);
    assert.deepEqual(leaks(shellDir, shell, ['SECRET-PW-SHELL']), []);
  });

  it('masks a password glued to -p of mysql run by a Node child process', async () => {
    const dir = join(work, 'run-mysql-node');
    const run = await apitraceRun(dir, ['node', join(FIXTURE_DIR, 'spawn-mysql.mjs'), mysql]);
    assert.match(run.stdout, /ran mysql twice/);
    assert.ok(
      recorded(dir, (r) => r['kind'] === 'process_start').some((r) => JSON.stringify(r['argv']) === JSON.stringify([mysql, '-uroot', '-p***', 'shop'])),
      'the child mysql was not recorded',
    );
    assert.deepEqual(leaks(dir, run, ['SECRET-PW-NODE']), []);
  });

  it('masks SQL literals and comments over JDBC, and a glued -p password in a Java child process (JVM agent)', async () => {
    const classes = join(work, 'classes');
    const javac = spawnSync('javac', ['-d', classes, join(FIXTURE_DIR, 'SqlSecrets.java')], { encoding: 'utf8' });
    assert.equal(javac.status, 0, javac.stderr);
    // H2 from the java-app example's dependencies (npm install builds them into target/lib)
    const lib = join(REPO_ROOT, 'examples', 'java-app', 'target', 'lib');
    const h2 = readdirSync(lib).find((f) => /^h2-.*\.jar$/.test(f));
    assert.ok(h2, 'examples/java-app/target/lib/h2-*.jar: build the examples (npm run build)');
    const dir = join(work, 'run-jdbc');
    const run = await apitraceRun(dir, ['java', '-cp', `${classes}:${join(lib, h2)}`, 'SqlSecrets', mysql]);
    assert.match(run.stdout, /select ok\nunterminated refused\nmysql exit 0\n/);
    const sql = recorded(dir, (r) => r['category'] === 'sql').map((r) => (r['args'] as { sql?: string } | undefined)?.sql);
    assert.ok(sql.includes('SELECT v FROM t WHERE v = ? OR v <> ?'), `recorded SQL: ${JSON.stringify(sql)}`);
    assert.deepEqual(
      leaks(dir, run, [
        'secret-java-ddl',
        'secret-java-insert',
        'secret-java-block',
        'secret-java-dollar',
        'secret-java-select',
        'secret-java-unterminated',
        'SECRET-PW-JAVA',
      ]),
      [],
    );
  });
});
