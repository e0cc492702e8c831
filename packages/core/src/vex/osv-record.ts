// One OSV record (https://ossf.github.io/osv-schema/) as an Advisory. Read defensively: every
// field is checked for its type; an affected entry with an unknown ecosystem or a version the
// ecosystem's order cannot read is dropped with a problem, the rest of the record is kept.
// Vulnerable functions come from `ecosystem_specific.affected_functions` (GitHub's npm
// advisories) and `ecosystem_specific.imports[].symbols` (Go: `<import path>.<symbol>`).
import type { Advisory, AffectedPackage, AdvisoryProblem, VersionRange } from './advisory.js';
import { ecosystemOf } from './versions/ecosystem-versions.js';

type Json = Record<string, unknown>;

const MAX_FUNCTIONS = 1000;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Whether a JSON value looks like an OSV record (an id and an affected list or a modified time). */
export function isOsvRecord(v: unknown): v is Json {
  return isObject(v) && typeof v['id'] === 'string' && (Array.isArray(v['affected']) || typeof v['modified'] === 'string');
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function functionsOf(entry: Json): string[] {
  const specific = entry['ecosystem_specific'];
  if (!isObject(specific)) return [];
  const found = strings(specific['affected_functions']);
  for (const imp of objects(specific['imports'])) {
    const path = imp['path'];
    if (typeof path !== 'string') continue;
    for (const symbol of strings(imp['symbols'])) found.push(`${path}.${symbol}`);
  }
  return [...new Set(found)].slice(0, MAX_FUNCTIONS);
}

function affectedEntry(entry: Json, where: string, problems: AdvisoryProblem[]): AffectedPackage | undefined {
  const pkg = entry['package'];
  if (!isObject(pkg) || typeof pkg['ecosystem'] !== 'string' || typeof pkg['name'] !== 'string') {
    // an entry without a package names a git range or nothing apitrace can match
    return undefined;
  }
  const lookup = ecosystemOf(pkg['ecosystem']);
  if ('foreign' in lookup) return undefined;
  if ('unknown' in lookup) {
    problems.push({
      where,
      what: `unknown ecosystem "${pkg['ecosystem'].slice(0, 64)}" for ${pkg['name'].slice(0, 128)}`,
      advice: 'this entry is skipped; OSV names ecosystems like npm, Maven, Debian:12',
    });
    return undefined;
  }
  const { ecosystem } = lookup;
  const order = ecosystem.order;
  const bad: string[] = [];
  const check = (version: string): boolean => {
    const why = order.invalid(version);
    if (why !== undefined) bad.push(`"${version.slice(0, 64)}" (${why})`);
    return why === undefined;
  };
  const ranges: VersionRange[] = [];
  const fixed: string[] = [];
  for (const range of objects(entry['ranges'])) {
    if (range['type'] === 'GIT') continue; // commits, not versions
    const events: VersionRange['events'] = [];
    for (const event of objects(range['events'])) {
      const one: VersionRange['events'][number] = {};
      for (const kind of EVENT_KINDS) {
        const version = event[kind];
        if (typeof version !== 'string') continue;
        if (kind === 'introduced' && version === '0') one.introduced = '0';
        else if (check(version)) one[kind] = version;
      }
      if (one.fixed !== undefined) fixed.push(one.fixed);
      if (Object.keys(one).length > 0) events.push(one);
    }
    ranges.push({ events });
  }
  const versions = strings(entry['versions']).filter((v) => order.invalid(v) === undefined);
  if (bad.length > 0) {
    problems.push({
      where,
      what: `cannot read the ${order.name} version range of ${pkg['name'].slice(0, 128)}: ${bad.slice(0, 3).join(', ')}`,
      advice: 'this entry is skipped; fix the record or report it to its database',
    });
    return undefined;
  }
  return { ecosystem, name: pkg['name'], ranges, versions, fixed: [...new Set(fixed)].sort(), functions: functionsOf(entry) };
}

/** The advisory of one OSV record; problems get a line each, and undefined means nothing usable. */
export function advisoryOfOsv(record: Json, source: string, problems: AdvisoryProblem[]): Advisory | undefined {
  const id = record['id'];
  if (typeof id !== 'string' || id === '' || id.length > 256) {
    problems.push({ where: source, what: 'not an OSV record: no id', advice: 'it is skipped' });
    return undefined;
  }
  const where = `${source}: ${id}`;
  if (record['withdrawn'] !== undefined) return undefined;
  const affected: AffectedPackage[] = [];
  for (const entry of objects(record['affected'])) {
    const one = affectedEntry(entry, where, problems);
    if (one) affected.push(one);
  }
  const summary = typeof record['summary'] === 'string' ? record['summary'].slice(0, 1000) : undefined;
  return {
    id,
    aliases: [...new Set(strings(record['aliases']).filter((a) => a !== id && a.length <= 256))].sort(),
    ...(summary ? { summary } : {}),
    source,
    affected,
  };
}
