// Debian's version order (Debian Policy 5.6.12, as dpkg --compare-versions applies it), written
// from the policy text: `[epoch:]upstream[-revision]`; epochs compare as numbers, then upstream,
// then revision, each by alternating runs: a run of non-digits compared character by character
// where `~` sorts before everything (even the end of the run), letters before all other
// characters, and the end of the run before any letter; then a run of digits compared as a
// number (an absent run is 0). A missing revision is "0"-equivalent, a missing epoch is 0.

export interface DebianVersion {
  epoch: bigint;
  upstream: string;
  revision: string;
}

const UPSTREAM_CHARS = /^[0-9A-Za-z.+~:-]+$/;
const REVISION_CHARS = /^[0-9A-Za-z.+~]+$/;

/** Parses a Debian version; undefined when it is not one. */
export function parseDebianVersion(text: string): DebianVersion | undefined {
  const version = text.trim();
  if (version === '' || /\s/.test(version)) return undefined;
  const colon = version.indexOf(':');
  let epoch = 0n;
  let rest = version;
  if (colon !== -1) {
    const epochText = version.slice(0, colon);
    if (!/^[0-9]+$/.test(epochText)) return undefined;
    epoch = BigInt(epochText);
    rest = version.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (upstream === '' || !UPSTREAM_CHARS.test(upstream)) return undefined;
  // dpkg warns but goes on when upstream does not start with a digit; so does this
  if (hyphen !== -1 && (revision === '' || !REVISION_CHARS.test(revision))) return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Sort weight of one character of a non-digit run; undefined (the end of the run) weighs 0. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  if (isLetter(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** Compares two upstream versions or two revisions. */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // the non-digit runs, character by character
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = weight(a[i]);
      const wb = weight(b[j]);
      if (wa !== wb) return wa < wb ? -1 : 1;
      i++;
      j++;
    }
    // the digit runs, as numbers: leading zeros aside, the longer is larger, else the first difference
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDifference = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDifference === 0 && a[i] !== b[j]) firstDifference = a[i]! < b[j]! ? -1 : 1;
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}

export function compareParsedDebianVersions(a: DebianVersion, b: DebianVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return comparePart(a.upstream, b.upstream) || comparePart(a.revision, b.revision);
}

/** Debian's order of two versions; throws a RangeError when either is no Debian version. */
export function compareDebianVersions(a: string, b: string): number {
  const pa = parseDebianVersion(a);
  const pb = parseDebianVersion(b);
  if (!pa) throw new RangeError(`"${a}" is no Debian version`);
  if (!pb) throw new RangeError(`"${b}" is no Debian version`);
  return compareParsedDebianVersions(pa, pb);
}
