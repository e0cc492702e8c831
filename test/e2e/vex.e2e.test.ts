// Runtime VEX over real programs and advisory records: a Node app with three npm packages at
// versions with public advisories (test/fixtures/vex-node-app, installed by the root
// `npm install`), the Java usage-states fixture with Maven coordinates and a method-level
// --functions file, a C program with Debian packages, two runs that are one observation, and
// hostile advisory inputs.
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { validateCycloneDx, validateOpenVex } from '@apitrace/core';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { buildSqliteOnlyProgram } from '../support/native-programs.js';
import { cleanEnv, runProgram, tempDir, type Finished } from '../support/processes.js';
import { writeStoredZip } from '../support/zip-file.js';

interface Statement {
  vulnerability: { name: string; aliases?: string[] };
  products: { '@id': string }[];
  status: string;
  justification?: string;
  impact_statement?: string;
  action_statement?: string;
  status_notes?: string;
}

interface CdxVulnerability {
  id: string;
  analysis: { state: string; justification?: string; detail: string };
  affects: { ref: string }[];
}

const NODE_APP = join(FIXTURES, 'vex-node-app');
const ADVISORIES = join(NODE_APP, 'advisories');
const FUNCTIONS = join(NODE_APP, 'functions.json');

function apitrace(args: string[], cwd?: string): Promise<Finished> {
  return runProgram(process.execPath, [CLI, ...args], { env: cleanEnv(), ...(cwd ? { cwd } : {}) });
}

/** The fixture as npm leaves it for an app of its own: its three packages in its node_modules. */
function installedNodeApp(work: string): string {
  const app = join(work, 'vex-node-app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  for (const file of ['app.js', 'package.json']) cpSync(join(NODE_APP, file), join(app, file));
  const resolve = createRequire(join(NODE_APP, 'package.json')).resolve;
  for (const name of ['lodash', 'underscore', 'minimist']) {
    cpSync(dirname(resolve(`${name}/package.json`)), join(app, 'node_modules', name), { recursive: true });
  }
  return app;
}

async function openVex(args: string[]): Promise<{ text: string; statements: Statement[]; stderr: string; status: number | null }> {
  const r = await apitrace(['vex', ...args]);
  if (r.status !== 0 && r.status !== 3) assert.fail(`apitrace vex ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  assert.equal(validateOpenVex(r.stdout), undefined);
  return { text: r.stdout, statements: (JSON.parse(r.stdout) as { statements: Statement[] }).statements, stderr: r.stderr, status: r.status };
}

const statementOf = (statements: Statement[], id: string, purl: string): Statement | undefined =>
  statements.find((s) => s.vulnerability.name === id && s.products.some((p) => p['@id'] === purl));

const LODASH = 'pkg:npm/lodash@4.17.20';
const UNDERSCORE = 'pkg:npm/underscore@1.12.0';
const MINIMIST = 'pkg:npm/minimist@1.2.5';

describe('runtime VEX (end to end)', () => {
  const work = tempDir('vex');
  after(() => {
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
  });
  const templateRun = join(work, 'run-template');
  const safeRun = join(work, 'run-safe');

  before(async () => {
    const app = installedNodeApp(work);
    const template = await apitrace(['run', '--out', templateRun, '--advisories', ADVISORIES, '--', 'node', 'app.js', 'template'], app);
    assert.equal(template.status, 0, template.stderr);
    const safe = await apitrace(['run', '--out', safeRun, '--', 'node', 'app.js', 'safe'], app);
    assert.equal(safe.status, 0, safe.stderr);
  });

  it('node: vulnerable function called, only a safe function called, never required: affected / not_affected / not_affected', async () => {
    const { statements } = await openVex([templateRun, '--advisories', ADVISORIES, '--functions', FUNCTIONS]);
    const lodash = statementOf(statements, 'GHSA-35jh-r3h4-6jhm', LODASH);
    assert.equal(lodash?.status, 'affected');
    assert.deepEqual(lodash?.vulnerability.aliases, ['CVE-2021-23337']);
    assert.match(lodash?.action_statement ?? '', /Update lodash to 4\.17\.21 or later/);
    // the stack of the first call reaches into the application
    assert.match(lodash?.action_statement ?? '', /greeting \([^)]*vex-node-app\/app\.js:11\)/);

    const underscore = statementOf(statements, 'GHSA-cf4h-3jhx-xvhq', UNDERSCORE);
    assert.equal(underscore?.status, 'not_affected');
    assert.equal(underscore?.justification, 'vulnerable_code_not_in_execute_path');
    assert.match(underscore?.impact_statement ?? '', /underscore\.template are in its function inventory and none ran in 1 run/);
    assert.match(underscore?.impact_statement ?? '', /\d+ of \d+ functions of the package ran/);

    const minimist = statementOf(statements, 'GHSA-xvch-5gv4-984h', MINIMIST);
    assert.equal(minimist?.status, 'not_affected');
    assert.equal(minimist?.justification, 'vulnerable_code_not_in_execute_path');
    assert.match(minimist?.impact_statement ?? '', /installed but never loaded in 1 run \(\d+ process(es)?\) between \S+ and \S+/);
    // the crafted record matches by its versions list; the older advisory's range ends before 1.2.5
    assert.equal(statementOf(statements, 'APITRACE-FIXTURE-0001', MINIMIST)?.status, 'not_affected');
    assert.equal(statements.filter((s) => s.vulnerability.name === 'GHSA-vh95-rmgr-6w4m').length, 0);
    assert.equal(statements.length, 4);
  });

  it('without --functions, the record naming no function leaves a used package affected (code of it ran)', async () => {
    const { statements } = await openVex([templateRun, '--advisories', ADVISORIES]);
    const underscore = statementOf(statements, 'GHSA-cf4h-3jhx-xvhq', UNDERSCORE);
    assert.equal(underscore?.status, 'affected');
    assert.match(underscore?.status_notes ?? '', /advisory names no vulnerable function/);
  });

  it('apitrace run --advisories wrote both documents into the run directory, valid, as apitrace vex prints them', async () => {
    const openvex = readFileSync(join(templateRun, 'vex.openvex.json'), 'utf8');
    const cdx = readFileSync(join(templateRun, 'vex.cdx.json'), 'utf8');
    assert.equal(validateOpenVex(openvex), undefined);
    assert.equal(await validateCycloneDx(cdx), undefined);
    assert.equal((await openVex([templateRun, '--advisories', ADVISORIES])).text, openvex);
    const again = await apitrace(['vex', templateRun, '--advisories', ADVISORIES, '-f', 'cyclonedx']);
    assert.equal(again.stdout, cdx);
    // and report.html has the vulnerabilities section: counts, the picture, each advisory, the stack
    const html = readFileSync(join(templateRun, 'report.html'), 'utf8');
    const section = /<section id="vulnerabilities">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    assert.match(section, /Vulnerabilities \(runtime VEX, 4\)/);
    assert.match(section, /<svg [^>]*aria-label="advisories by verdict"/);
    assert.match(section, /affected<\/span> <b>GHSA-35jh-r3h4-6jhm<\/b>/);
    assert.match(section, /first call of the vulnerable function[\s\S]*<b>greeting<\/b> [^<]*vex-node-app\/app\.js:11/);
  });

  it('cyclonedx: exploitable with the stack in evidence, not_affected as code_not_reachable, byte-identical twice', async () => {
    const args = ['vex', templateRun, '--advisories', ADVISORIES, '--functions', FUNCTIONS, '-f', 'cyclonedx'];
    const first = await apitrace(args);
    const second = await apitrace(args);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, second.stdout);
    assert.equal(await validateCycloneDx(first.stdout), undefined);
    const bom = JSON.parse(first.stdout) as {
      vulnerabilities: CdxVulnerability[];
      components: { purl: string; evidence?: { callstack: { frames: { function: string; fullFilename?: string }[] } } }[];
    };
    const of = (id: string): CdxVulnerability => bom.vulnerabilities.find((v) => v.id === id)!;
    assert.deepEqual(
      [of('GHSA-35jh-r3h4-6jhm').analysis.state, of('GHSA-cf4h-3jhx-xvhq').analysis.state, of('GHSA-xvch-5gv4-984h').analysis.state],
      ['exploitable', 'not_affected', 'not_affected'],
    );
    assert.equal(of('GHSA-xvch-5gv4-984h').analysis.justification, 'code_not_reachable');
    assert.deepEqual(of('GHSA-35jh-r3h4-6jhm').affects, [{ ref: LODASH, versions: [{ version: '4.17.20', status: 'affected' }] }]);
    const frames = bom.components.find((c) => c.purl === LODASH)?.evidence?.callstack.frames ?? [];
    assert.ok(
      frames.some((f) => f.function === 'greeting' && f.fullFilename?.endsWith('/app.js')),
      JSON.stringify(frames),
    );
  });

  it('two runs are one observation: the safe run alone says not_affected, with the template run affected', async () => {
    const alone = await openVex([safeRun, '--advisories', ADVISORIES]);
    const lodashAlone = statementOf(alone.statements, 'GHSA-35jh-r3h4-6jhm', LODASH);
    assert.equal(lodashAlone?.status, 'not_affected');
    assert.match(lodashAlone?.impact_statement ?? '', /lodash\.template are in its function inventory and none ran in 1 run/);

    const together = await openVex([safeRun, templateRun, '--advisories', ADVISORIES]);
    const lodash = statementOf(together.statements, 'GHSA-35jh-r3h4-6jhm', LODASH);
    assert.equal(lodash?.status, 'affected');
    assert.match(lodash?.status_notes ?? '', /in 2 runs \(\d+ processes\) between /);
    // the order the runs are named in changes nothing
    assert.equal((await openVex([templateRun, safeRun, '--advisories', ADVISORIES])).text, together.text);
  });

  it('--fail-on affected exits 3 when a statement says affected, 0 when none does; --min-coverage 100 leaves no not_affected by functions', async () => {
    const failing = await apitrace(['vex', templateRun, '--advisories', ADVISORIES, '--fail-on', 'affected', '-o', join(work, 'gate.json')]);
    assert.equal(failing.status, 3, failing.stderr);
    assert.match(failing.stderr, /^apitrace: \d+ statements? say/m);
    const passing = await apitrace(['vex', safeRun, '--advisories', join(ADVISORIES, 'GHSA-35jh-r3h4-6jhm.json'), '--fail-on', 'affected']);
    assert.equal(passing.status, 0, passing.stderr);
    const strict = await openVex([safeRun, '--advisories', join(ADVISORIES, 'GHSA-35jh-r3h4-6jhm.json'), '--min-coverage', '100']);
    assert.equal(statementOf(strict.statements, 'GHSA-35jh-r3h4-6jhm', LODASH)?.status, 'under_investigation');
    const bad = await apitrace(['vex', safeRun, '--advisories', ADVISORIES, '--min-coverage', 'lots']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^apitrace: option '--min-coverage <percent>' argument 'lots' is invalid/);
  });

  it('--product names the image the packages are in, each package its subcomponent (what grype matches image scans on)', async () => {
    const image = 'pkg:oci/vex-node-app@sha256:0123456789abcdef';
    const { statements } = await openVex([templateRun, '--advisories', join(ADVISORIES, 'GHSA-xvch-5gv4-984h.json'), '--product', image]);
    assert.deepEqual(statements[0]?.products, [{ '@id': image, subcomponents: [{ '@id': MINIMIST, identifiers: { purl: MINIMIST } }] }]);
    const bad = await apitrace(['vex', templateRun, '--advisories', ADVISORIES, '--product', 'not an iri']);
    assert.equal(bad.status, 2);
  });

  it('bad inputs: a malformed file, an unknown ecosystem, an unparseable range, zip entries climbing out or too large: one line each, the rest still read', async () => {
    const dir = join(work, 'bad-advisories');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broken.json'), '{"id": "GHSA-broken", "affected": [');
    writeFileSync(
      join(dir, 'ecosystem.json'),
      JSON.stringify({
        id: 'TEST-ECOSYSTEM',
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'Npmish', name: 'lodash' }, versions: ['4.17.20'] }],
      }),
    );
    writeFileSync(
      join(dir, 'range.json'),
      JSON.stringify({
        id: 'TEST-RANGE',
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: 'first' }, { fixed: '4.17.21' }] }] }],
      }),
    );
    cpSync(join(ADVISORIES, 'GHSA-35jh-r3h4-6jhm.json'), join(dir, 'lodash.json'));
    const zip = join(work, 'advisories.zip');
    writeStoredZip(zip, [
      { name: '../outside.json', text: readFileSync(join(ADVISORIES, 'GHSA-xvch-5gv4-984h.json'), 'utf8') },
      { name: 'npm/GHSA-cf4h-3jhx-xvhq.json', text: readFileSync(join(ADVISORIES, 'GHSA-cf4h-3jhx-xvhq.json'), 'utf8') },
      { name: 'npm/huge.json', text: ' '.repeat(16 * 1024 * 1024 + 1) },
    ]);
    const { statements, stderr, status } = await openVex([templateRun, '--advisories', dir, zip]);
    assert.equal(status, 0);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 5, stderr);
    for (const line of lines) assert.match(line, /^apitrace: \S+.*: .+ \(.+\)$/);
    assert.ok(
      lines.some((l) => l.startsWith(`apitrace: ${join(dir, 'broken.json')}: not JSON`)),
      stderr,
    );
    assert.ok(
      lines.some((l) => l.includes('TEST-ECOSYSTEM: unknown ecosystem "Npmish"')),
      stderr,
    );
    assert.ok(
      lines.some((l) => l.includes('TEST-RANGE: cannot read the semver version range of lodash: "first"')),
      stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith(`apitrace: ${zip}!../outside.json: has an absolute name or one that climbs out`)),
      stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith(`apitrace: ${zip}!npm/huge.json: declares 16777217 bytes, more than the 16777216 an advisory may have`)),
      stderr,
    );
    assert.deepEqual(statements.map((s) => s.vulnerability.name).sort(), ['GHSA-35jh-r3h4-6jhm', 'GHSA-cf4h-3jhx-xvhq']);

    const nothing = await apitrace(['vex', templateRun, '--advisories', join(dir, 'broken.json')]);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr.trim().split('\n').at(-1)!, /^apitrace: no advisory could be read from .*broken\.json \(give OSV JSON records/);
  });

  it('java: Maven coordinates and a method-level --functions file: affected / not_affected / not_affected / not_affected', async () => {
    const fixture = join(FIXTURES, 'java-usage-states');
    const run = join(work, 'java-run');
    const r = await apitrace(
      ['run', '--out', run, '--', 'java', '-cp', 'app/target/usage-app.jar:app/target/lib/*', 'dev.apitrace.fixture.app.UsageStates'],
      fixture,
    );
    assert.equal(r.status, 0, r.stderr);
    const dir = join(work, 'java-advisories');
    mkdirSync(dir);
    const record = (id: string, artifact: string, events: Record<string, string>[]): void =>
      writeFileSync(
        join(dir, `${id}.json`),
        JSON.stringify({
          id,
          modified: '2024-01-01T00:00:00Z',
          summary: `crafted for ${artifact}`,
          affected: [{ package: { ecosystem: 'Maven', name: `dev.apitrace.fixtures:${artifact}` }, ranges: [{ type: 'ECOSYSTEM', events }] }],
        }),
      );
    record('FIXTURE-JAVA-GREET', 'usage-used', [{ introduced: '0' }, { fixed: '1.0.1' }]);
    record('FIXTURE-JAVA-FAREWELL', 'usage-used', [{ introduced: '1.0.0-alpha-1' }, { last_affected: '1.0.0' }]);
    record('FIXTURE-JAVA-LOADED', 'usage-loaded', [{ introduced: '0.9' }, { fixed: '1.0.0.1' }]);
    record('FIXTURE-JAVA-INSTALLED', 'usage-installed', [{ introduced: '0' }, { fixed: '2.0' }]);
    // Maven order: 1.0.0-rc1 < 1.0.0, so a fix in 1.0.0-rc1 leaves 1.0.0 unaffected: no statement
    record('FIXTURE-JAVA-FIXED', 'usage-used', [{ introduced: '0' }, { fixed: '1.0.0-rc1' }]);
    const functions = join(dir, 'functions.txt');
    writeFileSync(
      functions,
      JSON.stringify({
        'FIXTURE-JAVA-GREET': ['dev.apitrace.fixture.used.Greeter#greet'],
        'FIXTURE-JAVA-FAREWELL': { 'pkg:maven/dev.apitrace.fixtures/usage-used': ['dev.apitrace.fixture.used.Greeter.unusedFarewell'] },
        'FIXTURE-JAVA-LOADED': ['dev.apitrace.fixture.loaded.LoadedOnly#describe'],
        'FIXTURE-JAVA-INSTALLED': ['dev.apitrace.fixture.installed.NeverLoaded#anything'],
      }),
    );
    const { statements } = await openVex([run, '--advisories', dir, '--functions', functions]);
    const status = (id: string): string | undefined => statements.find((s) => s.vulnerability.name === id)?.status;
    assert.deepEqual(['FIXTURE-JAVA-GREET', 'FIXTURE-JAVA-FAREWELL', 'FIXTURE-JAVA-LOADED', 'FIXTURE-JAVA-INSTALLED', 'FIXTURE-JAVA-FIXED'].map(status), [
      'affected',
      'not_affected',
      'not_affected',
      'not_affected',
      undefined,
    ]);
    assert.deepEqual(statements.find((s) => s.vulnerability.name === 'FIXTURE-JAVA-GREET')?.products, [
      {
        '@id': 'pkg:maven/dev.apitrace.fixtures/usage-used@1.0.0',
        identifiers: { purl: 'pkg:maven/dev.apitrace.fixtures/usage-used@1.0.0' },
      },
    ]);
    assert.match(statements.find((s) => s.vulnerability.name === 'FIXTURE-JAVA-GREET')?.status_notes ?? '', /Greeter#greet \(\d+ calls?\)/);
    assert.match(
      statements.find((s) => s.vulnerability.name === 'FIXTURE-JAVA-LOADED')?.impact_statement ?? '',
      /LoadedOnly#describe are in its function inventory and none ran/,
    );
  });

  it('java: real jars Maven resolved (examples/java-app): a commons-lang3 method that ran, one that did not, a class never loaded', async () => {
    const example = join(REPO_ROOT, 'examples', 'java-app');
    const run = join(work, 'java-app-run');
    const r = await apitrace(
      ['run', '--out', run, '--', 'java', '-cp', 'target/java-app.jar:target/lib/*', 'dev.apitrace.example.App', 'data/orders.json'],
      example,
    );
    assert.equal(r.status, 0, r.stderr);
    const dir = join(work, 'java-app-advisories');
    mkdirSync(dir);
    const lang3 = (id: string, events: Record<string, string>[], aliases: string[] = []): void =>
      writeFileSync(
        join(dir, `${id}.json`),
        JSON.stringify({
          id,
          aliases,
          modified: '2025-07-11T00:00:00Z',
          affected: [{ package: { ecosystem: 'Maven', name: 'org.apache.commons:commons-lang3' }, ranges: [{ type: 'ECOSYSTEM', events }] }],
        }),
      );
    lang3('FIXTURE-LANG3-CAPITALIZE', [{ introduced: '3.0' }, { fixed: '3.23.0' }]);
    lang3('FIXTURE-LANG3-WRAP', [{ introduced: '3.0' }, { fixed: '3.23.0-RC1' }]);
    lang3('FIXTURE-LANG3-SERIALIZATION', [{ introduced: '0' }, { last_affected: '3.22.0' }]);
    // transcribed from the public GitHub advisory (ClassUtils.getClass recursion): fixed in 3.18.0, so 3.22.0 gets no statement
    lang3('GHSA-j288-q9x7-2f5v', [{ introduced: '3.0' }, { fixed: '3.18.0' }], ['CVE-2025-48924']);
    const functions = join(dir, 'functions.json');
    writeFileSync(
      functions,
      JSON.stringify({
        'FIXTURE-LANG3-CAPITALIZE': ['org.apache.commons.lang3.StringUtils#capitalize'],
        'FIXTURE-LANG3-WRAP': ['org.apache.commons.lang3.StringUtils#wrapIfMissing'],
        'FIXTURE-LANG3-SERIALIZATION': ['org.apache.commons.lang3.SerializationUtils#deserialize'],
        'CVE-2025-48924': ['org.apache.commons.lang3.ClassUtils#getClass'],
      }),
    );
    const { statements } = await openVex([run, '--advisories', dir, '--functions', functions]);
    const of = (id: string): Statement | undefined => statements.find((s) => s.vulnerability.name === id);
    assert.match(of('FIXTURE-LANG3-CAPITALIZE')?.products[0]?.['@id'] ?? '', /^pkg:maven\/org\.apache\.commons\/commons-lang3@3\.\d+\.\d+$/);
    assert.deepEqual(
      ['FIXTURE-LANG3-CAPITALIZE', 'FIXTURE-LANG3-WRAP', 'FIXTURE-LANG3-SERIALIZATION', 'GHSA-j288-q9x7-2f5v'].map((id) => of(id)?.status),
      ['affected', 'not_affected', 'not_affected', undefined],
    );
    // a class never loaded is in the agent's inventory too (loaded: false), its methods not run
    assert.match(of('FIXTURE-LANG3-SERIALIZATION')?.impact_statement ?? '', /SerializationUtils#deserialize are in its function inventory and none ran/);
    assert.match(of('FIXTURE-LANG3-CAPITALIZE')?.status_notes ?? '', /StringUtils#capitalize \(\d+ calls?\)/);
  });

  it('native: Debian packages by purl, judged at library level: libsqlite3 used -> affected, libz only loaded -> under_investigation', async () => {
    const program = buildSqliteOnlyProgram(work);
    const run = join(work, 'native-run');
    const r = await apitrace(['run', '--out', run, '--', program]);
    assert.equal(r.status, 0, r.stderr);
    const dir = join(work, 'deb-advisories');
    mkdirSync(dir);
    // crafted: every version before an epoch no real package has; names are binary packages here
    const record = (id: string, name: string, fixed: string): void =>
      writeFileSync(
        join(dir, `${id}.json`),
        JSON.stringify({
          id,
          modified: '2024-01-01T00:00:00Z',
          affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
        }),
      );
    record('FIXTURE-DEB-SQLITE', 'libsqlite3-0', '99:0');
    record('FIXTURE-DEB-ZLIB', 'zlib1g', '99:0');
    // zlib1g's version has epoch 1: a fix in 0:9.9 (no epoch) lies before it, so no statement
    record('FIXTURE-DEB-ZLIB-OLD', 'zlib1g', '9.9');
    const { statements } = await openVex([run, '--advisories', dir]);
    const of = (id: string): Statement | undefined => statements.find((s) => s.vulnerability.name === id);
    assert.equal(of('FIXTURE-DEB-SQLITE')?.status, 'affected');
    assert.match(of('FIXTURE-DEB-SQLITE')?.products[0]?.['@id'] ?? '', /^pkg:deb\/debian\/libsqlite3-0@[^?]+\?arch=/);
    assert.match(of('FIXTURE-DEB-SQLITE')?.status_notes ?? '', /advisory names no vulnerable function, so it is taken as reached/);
    assert.equal(of('FIXTURE-DEB-ZLIB')?.status, 'under_investigation');
    assert.match(of('FIXTURE-DEB-ZLIB')?.status_notes ?? '', /being loaded is no proof/);
    assert.equal(of('FIXTURE-DEB-ZLIB-OLD'), undefined);
  });
});
