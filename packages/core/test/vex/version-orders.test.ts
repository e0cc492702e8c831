// The version orders advisories are matched with: Maven's (cases from the POM reference's
// "Version Order Specification" and chains checked against maven-artifact 3.8), dpkg's (Debian
// Policy 5.6.12, checked against dpkg --compare-versions), and OSV range evaluation on top.
import { strict as assert } from 'node:assert';
import { compareMavenVersions } from '../../src/vex/versions/maven-version.js';
import { compareDebianVersions, parseDebianVersion } from '../../src/vex/versions/debian-version.js';
import { ecosystemOf, type Ecosystem } from '../../src/vex/versions/ecosystem-versions.js';
import { inRange, isAffectedVersion } from '../../src/vex/osv-ranges.js';
import type { AffectedPackage } from '../../src/vex/advisory.js';

function assertChain(compare: (a: string, b: string) => number, chain: string[]): void {
  for (let i = 0; i < chain.length; i++) {
    for (let j = 0; j < chain.length; j++) {
      const want = Math.sign(i - j);
      assert.equal(Math.sign(compare(chain[i]!, chain[j]!)), want, `${chain[i]} vs ${chain[j]}: expected ${want}`);
    }
  }
}

function assertEqual(compare: (a: string, b: string) => number, versions: string[]): void {
  for (const a of versions) for (const b of versions) assert.equal(compare(a, b), 0, `${a} = ${b}`);
}

function ecosystem(name: string): Ecosystem {
  const found = ecosystemOf(name);
  assert.ok('ecosystem' in found, name);
  return found.ecosystem;
}

describe('Maven version order', () => {
  it('orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp < other words < numbers', () => {
    assertChain(compareMavenVersions, [
      '1-alpha',
      '1-alpha-1',
      '1-alpha-2',
      '1-beta-1',
      '1-milestone-1',
      '1-rc-1',
      '1-SNAPSHOT',
      '1',
      '1-sp',
      '1-sp-1',
      '1-foo',
      '1-1',
      '1.1',
      '1.1.1',
      '1.2',
      '1.10',
      '2.0-rc1',
      '2.0',
      '2.0.1',
      '10.0',
    ]);
  });

  it('drops trailing null tokens: 1.ga = 1-ga = 1-0 = 1.0 = 1 = 1.0.0 = 1-final = 1-release', () => {
    assertEqual(compareMavenVersions, ['1.ga', '1-ga', '1-0', '1.0', '1', '1.0.0', '1-final', '1-release', '1.0.GA']);
  });

  it("follows the specification's examples", () => {
    assertEqual(compareMavenVersions, ['1.foo', '1-foo']);
    assertChain(compareMavenVersions, ['1-foo', '1-1', '1.1']);
    assertChain(compareMavenVersions, ['1-foo2', '1-foo10']);
    assertChain(compareMavenVersions, ['1-ga.1', '1-sp.1']);
    assertChain(compareMavenVersions, ['1-sp-1', '1-ga-1']);
    assertEqual(compareMavenVersions, ['1-a1', '1-alpha-1', '1-alpha1']);
    assertEqual(compareMavenVersions, ['1.0-alpha1', '1.0-ALPHA1']);
    assertChain(compareMavenVersions, ['1.K', '1.7']);
    assertChain(compareMavenVersions, ['5.aardvark', '5.zebra']);
    assertEqual(compareMavenVersions, ['1.0.RC1', '1-rc1', '1-cr-1', '1.0-CR1']);
  });

  it('compares numbers of any size as numbers', () => {
    assertChain(compareMavenVersions, ['1.9', '1.10', '1.123456789012345678901234567890', '1.123456789012345678901234567891']);
    assertEqual(compareMavenVersions, ['1.007', '1.7']);
  });

  it('orders real release lines: log4j 2.0-beta9 < 2.0-rc1 < 2.0 < 2.14.1 < 2.15.0 < 2.17.0 < 2.17.1', () => {
    assertChain(compareMavenVersions, ['2.0-beta9', '2.0-rc1', '2.0', '2.14.1', '2.15.0', '2.17.0', '2.17.1']);
  });
});

describe('Debian version order', () => {
  it('sorts ~ before everything, the end before letters, letters before other characters', () => {
    assertChain(compareDebianVersions, ['1.0~~', '1.0~', '1.0~rc1', '1.0', '1.0a', '1.0+', '1.0+dfsg', '1.0.1']);
  });

  it('compares epoch first, then upstream, then revision, digit runs as numbers', () => {
    assertChain(compareDebianVersions, ['9.9', '1:0.1', '2:0.0']);
    assertChain(compareDebianVersions, ['2.36-9+deb12u4', '2.36-9+deb12u10', '2.36-10']);
    assertChain(compareDebianVersions, ['3.0.11-1~deb12u2', '3.0.11-1', '3.0.13-1~deb12u1']);
    assertChain(compareDebianVersions, ['1.18.0-6', '1.18.0-6+b1', '1.18.0-6.1']);
  });

  it('takes a missing epoch as 0 and a missing revision like 0, and ignores leading zeros', () => {
    assertEqual(compareDebianVersions, ['1.0', '0:1.0', '1.0-0', '01.0', '1.00']);
    assertEqual(compareDebianVersions, ['1:1.2.13.dfsg-1', '01:1.2.13.dfsg-1']);
  });

  it('refuses what is no Debian version', () => {
    for (const bad of ['', 'a:1.0', '1.0-', '1 0', '1.0_1', '1.0-1_2']) assert.equal(parseDebianVersion(bad), undefined, bad);
    assert.throws(() => compareDebianVersions('1.0', '1 0'), RangeError);
  });
});

describe('OSV ranges', () => {
  const npm = ecosystem('npm');
  const entry = (ranges: AffectedPackage['ranges'], versions: string[] = []): AffectedPackage => ({
    ecosystem: npm,
    name: 'x',
    ranges,
    versions,
    fixed: [],
    functions: [],
  });

  it('introduced/fixed: from introduced up to, not including, fixed', () => {
    const a = entry([{ events: [{ introduced: '0' }, { fixed: '4.17.21' }] }]);
    assert.deepEqual(
      ['0.0.1', '4.17.20', '4.17.21', '5.0.0'].map((v) => isAffectedVersion(v, a)),
      [true, true, false, false],
    );
  });

  it('several introduced/fixed pairs in one range, events in any order', () => {
    const a = entry([{ events: [{ fixed: '1.2.6' }, { introduced: '1.0.0' }, { fixed: '0.2.4' }, { introduced: '0' }] }]);
    assert.deepEqual(
      ['0.2.3', '0.2.4', '0.9.0', '1.0.0', '1.2.5', '1.2.6'].map((v) => isAffectedVersion(v, a)),
      [true, false, false, true, true, false],
    );
  });

  it('last_affected includes its version; limit excludes it', () => {
    assert.equal(inRange(npm.order, '2.0.0', { events: [{ introduced: '1.0.0' }, { last_affected: '2.0.0' }] }), true);
    assert.equal(inRange(npm.order, '2.0.1', { events: [{ introduced: '1.0.0' }, { last_affected: '2.0.0' }] }), false);
    assert.equal(inRange(npm.order, '2.0.0', { events: [{ introduced: '1.0.0' }, { limit: '2.0.0' }] }), false);
  });

  it('a versions list matches exactly; prereleases order before their release', () => {
    assert.equal(isAffectedVersion('1.2.3', entry([], ['1.2.3'])), true);
    assert.equal(isAffectedVersion('1.2.4', entry([], ['1.2.3'])), false);
    assert.equal(isAffectedVersion('2.0.0-rc.1', entry([{ events: [{ introduced: '1.0.0' }, { fixed: '2.0.0' }] }])), true);
  });

  it('evaluates Maven and Debian ranges in their own order', () => {
    const maven: AffectedPackage = {
      ecosystem: ecosystem('Maven'),
      name: 'g:a',
      ranges: [{ events: [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }] }],
      versions: [],
      fixed: [],
      functions: [],
    };
    assert.deepEqual(
      ['2.0-alpha1', '2.0-rc1', '2.14.1', '2.15.0'].map((v) => isAffectedVersion(v, maven)),
      [false, true, true, false],
    );
    const deb: AffectedPackage = {
      ecosystem: ecosystem('Debian:12'),
      name: 'openssl',
      ranges: [{ events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
      versions: [],
      fixed: [],
      functions: [],
    };
    assert.deepEqual(
      ['3.0.11-1~deb12u1', '3.0.11-1~deb12u2', '3.0.11-1'].map((v) => isAffectedVersion(v, deb)),
      [true, false, false],
    );
  });

  it('knows OSV ecosystems: supported, foreign (skipped quietly), unknown', () => {
    assert.ok('ecosystem' in ecosystemOf('Ubuntu:22.04:LTS'));
    assert.ok('foreign' in ecosystemOf('PyPI'));
    assert.ok('unknown' in ecosystemOf('Npm'));
  });
});
