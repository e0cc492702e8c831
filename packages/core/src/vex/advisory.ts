// An advisory as the verdicts need it, whichever file it came from (an OSV record, an
// osv-scanner or grype report): its id and aliases, and per affected package the versions it
// affects and the functions that hold the vulnerable code.
import type { Ecosystem } from './versions/ecosystem-versions.js';

/** One OSV range: its events, each version already checked against the ecosystem's order. */
export interface VersionRange {
  events: { introduced?: string; fixed?: string; last_affected?: string; limit?: string }[];
}

export interface AffectedPackage {
  ecosystem: Ecosystem;
  /** the package as its ecosystem names it: `lodash`, `@scope/name`, `group:artifact`, a Debian package */
  name: string;
  ranges: VersionRange[];
  /** versions listed one by one (OSV `versions`, or the one version a scanner matched) */
  versions: string[];
  /** fixed versions named by the record, for the action statement */
  fixed: string[];
  /** vulnerable functions: `lodash.template`, `com.example.Foo.bar`, `golang.org/x/net/html.Parse`, a symbol */
  functions: string[];
}

export interface Advisory {
  id: string;
  /** other ids of the same vulnerability (CVE, GHSA, ...), sorted, without `id` */
  aliases: string[];
  summary?: string;
  /** the file (and archive entry) it was read from */
  source: string;
  affected: AffectedPackage[];
}

/** What went wrong with an input, as one line: `apitrace: <where>: <what> (<what to do>)`. */
export interface AdvisoryProblem {
  where: string;
  what: string;
  advice: string;
}

export function problemLine(p: AdvisoryProblem): string {
  return `apitrace: ${p.where}: ${p.what} (${p.advice})`;
}

/** One entry per package: the ranges, versions, fixes and functions of entries for the same package joined. */
export function mergeAffected(list: AffectedPackage[]): AffectedPackage[] {
  const byPackage = new Map<string, AffectedPackage>();
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  for (const a of list) {
    const key = `${a.ecosystem.purlType}\0${a.name}`;
    const known = byPackage.get(key);
    if (!known) {
      byPackage.set(key, { ...a });
      continue;
    }
    const ranges = new Map([...known.ranges, ...a.ranges].map((r) => [JSON.stringify(r), r]));
    byPackage.set(key, {
      ...known,
      ranges: [...ranges.values()],
      versions: unique([...known.versions, ...a.versions]),
      fixed: unique([...known.fixed, ...a.fixed]).sort(),
      functions: unique([...known.functions, ...a.functions]),
    });
  }
  return [...byPackage.values()];
}
