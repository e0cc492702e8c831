// Maven's version order (maven-artifact's ComparableVersion, as documented in the POM reference,
// "Version Order Specification"), written from that description:
//   - a version is cut into tokens at '.', at '-', and where digits meet other characters; an
//     empty token is 0; a '-' (and a digit/letter transition) opens a nested list, so what follows
//     a hyphen counts less than what follows a dot; a qualifier that ends the version or is
//     followed by digits heads a list of its own, so ".qualifier" = "-qualifier" (1.0.RC1 = 1-rc-1);
//   - numbers compare as numbers (any size); qualifiers in this order: alpha < beta < milestone <
//     rc = cr < snapshot < "" = ga = final = release < sp < any other word (those lexically); a, b and m
//     directly followed by a digit mean alpha, beta and milestone;
//   - trailing "null" tokens (0, "", ga, final, an empty list) are dropped at the end of every list;
//   - comparing unlike tokens: number > list > qualifier (1.1 > 1-1 > 1-sp), and a missing token
//     compares like a null one (1.0 = 1, 1-rc < 1 < 1-sp); a list against a missing token is
//     decided by its first item that is not null.
// This is the behaviour of Maven 3.8 (maven-artifact), checked against it on a few hundred pairs.
// Case does not matter. Any string is a version here, as for Maven.

type Token = { kind: 'number'; value: bigint } | { kind: 'word'; value: string } | { kind: 'list'; items: Token[] };

/** Qualifiers Maven knows, in their order; "" is the release itself. */
const KNOWN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE = KNOWN_QUALIFIERS.indexOf('');
const QUALIFIER_ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const SHORT_BEFORE_DIGIT: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

function word(text: string, followedByDigit: boolean): Token {
  const long = followedByDigit ? (SHORT_BEFORE_DIGIT[text] ?? text) : text;
  return { kind: 'word', value: QUALIFIER_ALIASES[long] ?? long };
}

function token(text: string, digits: boolean): Token {
  return digits ? { kind: 'number', value: BigInt(text) } : word(text, false);
}

/** Where a qualifier sorts: its rank among the known ones, unknown ones after all of them. */
function qualifierRank(value: string): { rank: number; unknown?: string } {
  const rank = KNOWN_QUALIFIERS.indexOf(value);
  return rank === -1 ? { rank: KNOWN_QUALIFIERS.length, unknown: value } : { rank };
}

function compareWords(a: string, b: string): number {
  const ra = qualifierRank(a);
  const rb = qualifierRank(b);
  if (ra.rank !== rb.rank) return ra.rank < rb.rank ? -1 : 1;
  if (ra.unknown === undefined || rb.unknown === undefined) return 0;
  return ra.unknown < rb.unknown ? -1 : ra.unknown > rb.unknown ? 1 : 0;
}

function isNull(t: Token): boolean {
  if (t.kind === 'number') return t.value === 0n;
  if (t.kind === 'word') return qualifierRank(t.value).rank === RELEASE;
  return t.items.length === 0;
}

/** Drops trailing null tokens; a non-empty list does not stop the trimming, any other token does. */
function trimNulls(list: Token[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const t = list[i]!;
    if (isNull(t)) list.splice(i, 1);
    else if (t.kind !== 'list') break;
  }
}

function parse(version: string): Token[] {
  const text = version.toLowerCase();
  const root: Token[] = [];
  const lists: Token[][] = [root];
  let list = root;
  const openList = (): void => {
    const nested: Token[] = [];
    list.push({ kind: 'list', items: nested });
    list = nested;
    lists.push(nested);
  };
  let digits = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'number', value: 0n } : token(text.slice(start, i), digits));
      start = i + 1;
      if (c === '-') openList();
    } else if (c >= '0' && c <= '9') {
      if (!digits && i > start) {
        // a qualifier always heads a list of its own: 1.0.RC1 = 1-rc-1
        if (list.length > 0) openList();
        list.push(word(text.slice(start, i), true));
        start = i;
        openList();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list.push(token(text.slice(start, i), true));
        start = i;
        openList();
      }
      digits = false;
    }
  }
  if (text.length > start) {
    if (!digits && list.length > 0) openList();
    list.push(token(text.slice(start), digits));
  }
  // innermost lists first, so an emptied nested list is itself trimmed from its parent
  for (let i = lists.length - 1; i >= 0; i--) trimNulls(lists[i]!);
  return root;
}

/** Compares a token with another, or with nothing (a shorter version): negative, 0 or positive. */
function compareToken(a: Token, b: Token | undefined): number {
  switch (a.kind) {
    case 'number':
      if (b === undefined) return a.value === 0n ? 0 : 1;
      if (b.kind === 'number') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return 1;
    case 'word':
      if (b === undefined) return compareWords(a.value, '');
      if (b.kind === 'word') return compareWords(a.value, b.value);
      return -1;
    case 'list':
      if (b === undefined) {
        for (const item of a.items) {
          const result = compareToken(item, undefined);
          if (result !== 0) return result;
        }
        return 0;
      }
      if (b.kind === 'number') return -1;
      if (b.kind === 'word') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: Token[], b: Token[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const result = l === undefined ? -compareToken(r!, undefined) : compareToken(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

/** Maven's order of two versions: negative when a < b, 0 when equal, positive when a > b. */
export function compareMavenVersions(a: string, b: string): number {
  return Math.sign(compareLists(parse(a), parse(b)));
}
