// Advisory inputs besides plain OSV records: osv-scanner and grype JSON reports, and the
// --functions file; each read from files a test writes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAdvisories } from '../../src/vex/advisory-files.js';
import { addFunctions, readFunctionFile } from '../../src/vex/function-file.js';
import type { AdvisoryProblem } from '../../src/vex/advisory.js';
import { UserError } from '../../src/base/user-error.js';

const LODASH_OSV = {
  id: 'GHSA-35jh-r3h4-6jhm',
  modified: '2021-05-06T16:05:51Z',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      ecosystem_specific: { affected_functions: ['lodash.template'] },
    },
  ],
};

describe('advisory inputs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apitrace-advisories-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  it('osv-scanner JSON: the OSV records of each package, a group of ids as one advisory with the others as aliases', async () => {
    const cve = { ...LODASH_OSV, id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], affected: [{ ...LODASH_OSV.affected[0], ecosystem_specific: {} }] };
    const path = write('osv-scanner.json', {
      results: [
        {
          source: { path: '/srv/app/package-lock.json', type: 'lockfile' },
          packages: [
            {
              package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
              vulnerabilities: [LODASH_OSV, cve],
              groups: [{ ids: ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'], aliases: ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'], max_severity: '7.2' }],
            },
          ],
        },
      ],
    });
    const read = await readAdvisories([path]);
    assert.deepEqual(read.problems, []);
    assert.equal(read.readable, 1);
    assert.deepEqual(
      read.advisories.map((a) => [a.id, a.aliases]),
      [['GHSA-35jh-r3h4-6jhm', ['CVE-2021-23337']]],
    );
    assert.deepEqual(
      read.advisories[0]!.affected.map((a) => [a.name, a.functions]),
      [['lodash', ['lodash.template']]],
    );
  });

  it('grype JSON: each match affects exactly the version grype saw, with its fixed versions and related ids', async () => {
    const path = write('grype.json', {
      matches: [
        {
          vulnerability: {
            id: 'GHSA-35jh-r3h4-6jhm',
            dataSource: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm',
            namespace: 'github:language:javascript',
            severity: 'High',
            fix: { versions: ['4.17.21'], state: 'fixed' },
            description: 'Command Injection in lodash',
          },
          relatedVulnerabilities: [{ id: 'CVE-2021-23337', namespace: 'nvd:cpe' }],
          matchDetails: [{ type: 'exact-direct-match', matcher: 'javascript-matcher' }],
          artifact: { id: 'a1', name: 'lodash', version: '4.17.20', type: 'npm', language: 'javascript', purl: 'pkg:npm/lodash@4.17.20' },
        },
        {
          vulnerability: { id: 'CVE-2023-0001', fix: { versions: [], state: 'not-fixed' } },
          artifact: { name: 'requests', version: '2.0.0', type: 'python', purl: 'pkg:pypi/requests@2.0.0' },
        },
        {
          vulnerability: { id: 'GHSA-jfh8-c2jp-5v3q', fix: { versions: ['2.15.0'] } },
          artifact: { name: 'log4j-core', version: '2.14.1', type: 'java-archive', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
        },
      ],
      source: { type: 'directory', target: '/srv/app' },
      descriptor: { name: 'grype', version: '0.74.0' },
    });
    const read = await readAdvisories([path]);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(
      read.advisories.map((a) => a.id),
      ['GHSA-35jh-r3h4-6jhm', 'GHSA-jfh8-c2jp-5v3q'],
    );
    const lodash = read.advisories[0]!;
    assert.deepEqual(lodash.aliases, ['CVE-2021-23337']);
    assert.deepEqual(
      lodash.affected.map((a) => [a.ecosystem.purlType, a.name, a.versions, a.fixed]),
      [['npm', 'lodash', ['4.17.20'], ['4.17.21']]],
    );
    assert.deepEqual(
      read.advisories[1]!.affected.map((a) => [a.name, a.versions]),
      [['org.apache.logging.log4j:log4j-core', ['2.14.1']]],
    );
  });

  it('a list of OSV records in one file, the same advisory from two files merged, a link not followed', async () => {
    write('list.json', [LODASH_OSV]);
    write('again.json', { ...LODASH_OSV, aliases: ['CVE-2021-23337', 'SNYK-JS-LODASH-1040724'] });
    symlinkSync(join(dir, 'list.json'), join(dir, 'linked.json'));
    const read = await readAdvisories([dir, join(dir, 'linked.json')]);
    assert.equal(read.readable, 2);
    assert.deepEqual(
      read.advisories.map((a) => [a.id, a.aliases]),
      [['GHSA-35jh-r3h4-6jhm', ['CVE-2021-23337', 'SNYK-JS-LODASH-1040724']]],
    );
    assert.deepEqual(
      read.problems.map((p) => p.what),
      ['is a symbolic link, which apitrace does not follow'],
    );
  });

  it('drops advisories on packages the runs never saw before keeping them', async () => {
    const read = await readAdvisories([write('one.json', LODASH_OSV)], (type, name) => type === 'npm' && name === 'express');
    assert.deepEqual(read.advisories, []);
    assert.equal(read.readable, 1);
  });

  it('--functions: lists for every package or keyed by purl, added by id or alias; a bad entry is one problem', async () => {
    const problems: AdvisoryProblem[] = [];
    const map = readFunctionFile(
      write('functions.json', {
        'CVE-2021-23337': ['lodash.templateSettings'],
        'GHSA-35jh-r3h4-6jhm': { 'pkg:npm/lodash': ['lodash.template', 'lodash.runInContext'], 'pkg:npm/other': ['other.fn'] },
        'TEST-BAD': 'lodash.template',
        'TEST-BAD-PURL': { 'not a purl': ['x'] },
      }),
      problems,
    );
    assert.equal(problems.length, 2);
    const read = await readAdvisories([write('one.json', LODASH_OSV)]);
    addFunctions(read.advisories, map);
    assert.deepEqual(read.advisories[0]!.affected[0]!.functions, ['lodash.template', 'lodash.runInContext', 'lodash.templateSettings']);
    assert.throws(
      () => readFunctionFile(write('bad.json', '[1, 2]'), problems),
      (err: unknown) => err instanceof UserError && /not a JSON object/.test(err.line),
    );
  });
});
