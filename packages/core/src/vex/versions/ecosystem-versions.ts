// Which version order each ecosystem uses, and which package URL type its packages have:
// npm and Go by Semantic Versioning (the semver package), Maven by Maven's order, Debian and
// Ubuntu by dpkg's. Ecosystems that OSV knows but whose packages apitrace never identifies
// (PyPI, crates.io, ...) are "foreign": their records are skipped without a word.
import semver from 'semver';
import { compareMavenVersions } from './maven-version.js';
import { compareDebianVersions, parseDebianVersion } from './debian-version.js';

/** Versions longer than this are refused (every comparison is linear in them). */
const MAX_VERSION_LENGTH = 256;

export interface VersionOrder {
  /** the name used in messages: npm (semver), Maven, Debian */
  name: string;
  /** undefined when the text is a version of this order, else why not */
  invalid(version: string): string | undefined;
  /** negative, 0 or positive; only for versions `invalid` accepted */
  compare(a: string, b: string): number;
}

export interface Ecosystem {
  /** the OSV ecosystem name without its suffix (`Debian:12` is Debian) */
  osv: string;
  /** package URL type of its packages */
  purlType: 'npm' | 'maven' | 'deb' | 'golang';
  order: VersionOrder;
}

const tooLong = (v: string): string | undefined => (v.length > MAX_VERSION_LENGTH ? `longer than ${MAX_VERSION_LENGTH} characters` : undefined);

const SEMVER: VersionOrder = {
  name: 'semver',
  invalid: (v) => tooLong(v) ?? (semver.valid(v) === null ? 'not a semantic version' : undefined),
  compare: (a, b) => semver.compare(a, b),
};

// Go module versions are semantic versions with a leading v (v1.2.3); OSV writes them without it.
const GO_SEMVER: VersionOrder = {
  name: 'Go semver',
  invalid: (v) => SEMVER.invalid(v.replace(/^v/, '')),
  compare: (a, b) => semver.compare(a.replace(/^v/, ''), b.replace(/^v/, '')),
};

const MAVEN: VersionOrder = {
  name: 'Maven',
  invalid: (v) => tooLong(v) ?? (v.trim() === '' ? 'empty' : undefined),
  compare: compareMavenVersions,
};

const DEBIAN: VersionOrder = {
  name: 'Debian',
  invalid: (v) => tooLong(v) ?? (parseDebianVersion(v) === undefined ? 'not a Debian version' : undefined),
  compare: compareDebianVersions,
};

const ECOSYSTEMS: Ecosystem[] = [
  { osv: 'npm', purlType: 'npm', order: SEMVER },
  { osv: 'Maven', purlType: 'maven', order: MAVEN },
  { osv: 'Debian', purlType: 'deb', order: DEBIAN },
  { osv: 'Ubuntu', purlType: 'deb', order: DEBIAN },
  { osv: 'Go', purlType: 'golang', order: GO_SEMVER },
];

/** Ecosystems of the OSV schema whose packages apitrace does not identify. */
const FOREIGN = new Set([
  'AlmaLinux',
  'Alpine',
  'Android',
  'Azure Linux',
  'Bioconductor',
  'Bitnami',
  'Chainguard',
  'CleanStart',
  'ConanCenter',
  'CRAN',
  'crates.io',
  'Echo',
  'GHC',
  'GIT',
  'GitHub Actions',
  'Hackage',
  'Hex',
  'Julia',
  'Kubernetes',
  'Linux',
  'Mageia',
  'MinimOS',
  'NuGet',
  'openEuler',
  'openSUSE',
  'OSS-Fuzz',
  'Packagist',
  'Photon OS',
  'Pub',
  'PyPI',
  'Red Hat',
  'Rocky Linux',
  'RubyGems',
  'SUSE',
  'SwiftURL',
  'UVI',
  'VSCode',
  'Wolfi',
]);

export type EcosystemLookup = { ecosystem: Ecosystem } | { foreign: true } | { unknown: true };

/** The ecosystem of an OSV `package.ecosystem` (`Debian:12`, `Ubuntu:22.04:LTS`, `npm`). */
export function ecosystemOf(name: string): EcosystemLookup {
  const base = name.split(':')[0]!;
  const ecosystem = ECOSYSTEMS.find((e) => e.osv === base);
  if (ecosystem) return { ecosystem };
  return FOREIGN.has(base) ? { foreign: true } : { unknown: true };
}

/** The ecosystem whose packages have this package URL type (npm, maven, deb). */
export function ecosystemOfPurlType(type: string): Ecosystem | undefined {
  return ECOSYSTEMS.find((e) => e.purlType === type);
}
