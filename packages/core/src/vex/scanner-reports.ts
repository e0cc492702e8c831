// Advisories from the JSON reports of two scanners, as the verdicts need them:
//   osv-scanner (`--format json`): `results[].packages[].vulnerabilities[]` are whole OSV records;
//     `groups[].ids` names the records that are one vulnerability (the first id stands for the
//     group, the others become its aliases);
//   grype (`-o json`): `matches[]`, each a vulnerability (id, fixed versions) matched to an
//     artifact (its purl and version); grype has decided the version is affected, so the
//     advisory affects exactly that version of that package.
import { PackageURL } from 'packageurl-js';
import { mergeAffected, type Advisory, type AdvisoryProblem } from './advisory.js';
import { advisoryOfOsv, isOsvRecord } from './osv-record.js';
import { ecosystemOfPurlType } from './versions/ecosystem-versions.js';
import { packageNameOfPurl } from './package-names.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export function isOsvScannerReport(v: unknown): v is Json {
  return isObject(v) && Array.isArray(v['results']) && objects(v['results']).some((r) => Array.isArray(r['packages']));
}

export function isGrypeReport(v: unknown): v is Json {
  return isObject(v) && Array.isArray(v['matches']) && (isObject(v['descriptor']) || objects(v['matches']).some((m) => isObject(m['artifact'])));
}

export function advisoriesOfOsvScanner(report: Json, source: string, problems: AdvisoryProblem[]): Advisory[] {
  const byId = new Map<string, Advisory>();
  const groupOf = new Map<string, string[]>();
  for (const result of objects(report['results'])) {
    for (const pkg of objects(result['packages'])) {
      for (const group of objects(pkg['groups'])) {
        const ids = strings(group['ids']);
        for (const id of ids) if (!groupOf.has(id)) groupOf.set(id, ids);
      }
      for (const record of objects(pkg['vulnerabilities'])) {
        if (!isOsvRecord(record)) continue;
        const advisory = advisoryOfOsv(record, source, problems);
        if (advisory && !byId.has(advisory.id)) byId.set(advisory.id, advisory);
      }
    }
  }
  // one advisory per group: the first id present stands for it, the others are its aliases
  const out: Advisory[] = [];
  const done = new Set<string>();
  for (const advisory of byId.values()) {
    if (done.has(advisory.id)) continue;
    const group = (groupOf.get(advisory.id) ?? [advisory.id]).filter((id) => byId.has(id));
    const members = group.map((id) => byId.get(id)!);
    members.forEach((m) => done.add(m.id));
    const head = members[0] ?? advisory;
    const aliases = new Set(members.flatMap((m) => [m.id, ...m.aliases]));
    aliases.delete(head.id);
    out.push({ ...head, aliases: [...aliases].sort(), affected: mergeAffected(members.flatMap((m) => m.affected)) });
  }
  return out;
}

export function advisoriesOfGrype(report: Json, source: string, problems: AdvisoryProblem[]): Advisory[] {
  const byId = new Map<string, Advisory>();
  for (const match of objects(report['matches'])) {
    const vulnerability = match['vulnerability'];
    const artifact = match['artifact'];
    if (!isObject(vulnerability) || !isObject(artifact)) continue;
    const id = vulnerability['id'];
    const purlText = artifact['purl'];
    const version = artifact['version'];
    if (typeof id !== 'string' || id === '' || id.length > 256 || typeof purlText !== 'string' || typeof version !== 'string') continue;
    let purl: PackageURL;
    try {
      purl = PackageURL.fromString(purlText);
    } catch {
      problems.push({ where: `${source}: ${id}`, what: `unreadable purl "${purlText.slice(0, 128)}"`, advice: 'this match is skipped' });
      continue;
    }
    const ecosystem = ecosystemOfPurlType(purl.type);
    if (!ecosystem) continue; // a package kind apitrace does not identify (python, gem, apk, ...)
    const invalid = ecosystem.order.invalid(version);
    if (invalid !== undefined) {
      problems.push({
        where: `${source}: ${id}`,
        what: `cannot read ${ecosystem.order.name} version "${version.slice(0, 64)}" (${invalid})`,
        advice: 'this match is skipped',
      });
      continue;
    }
    const fix = vulnerability['fix'];
    const fixed = isObject(fix) ? strings(fix['versions']).filter((v) => ecosystem.order.invalid(v) === undefined) : [];
    const related = objects(match['relatedVulnerabilities'])
      .map((r) => r['id'])
      .filter((r): r is string => typeof r === 'string' && r !== id);
    const description = typeof vulnerability['description'] === 'string' ? vulnerability['description'].slice(0, 1000) : undefined;
    let advisory = byId.get(id);
    if (!advisory) {
      advisory = { id, aliases: [], ...(description ? { summary: description } : {}), source, affected: [] };
      byId.set(id, advisory);
    }
    advisory.aliases = [...new Set([...advisory.aliases, ...related])].sort();
    advisory.affected.push({ ecosystem, name: packageNameOfPurl(purl), ranges: [], versions: [version], fixed: [...new Set(fixed)].sort(), functions: [] });
  }
  return [...byId.values()];
}
