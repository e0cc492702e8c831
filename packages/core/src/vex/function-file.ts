// `--functions FILE`: the vulnerable functions a team knows and the advisory database lacks.
// One JSON object keyed by advisory id (or any of its aliases):
//
//   {
//     "GHSA-35jh-r3h4-6jhm": ["lodash.template"],
//     "CVE-2021-44228": {
//       "pkg:maven/org.apache.logging.log4j/log4j-core": ["org.apache.logging.log4j.core.net.JndiManager#lookup"]
//     }
//   }
//
// A list applies to every package the advisory affects; an object keys lists by package URL
// (without version) for one package only. The functions are added to those the advisory names.
// docs/vex.md describes how each ecosystem writes a function.
import type { Advisory, AdvisoryProblem } from './advisory.js';
import { packageKeyOf, packageKeyText } from './package-names.js';
import { readRegularFile } from '../reader/untrusted-file.js';
import { UserError } from '../base/user-error.js';

const MAX_BYTES = 8 * 1024 * 1024;
const MAX_FUNCTIONS = 1000;
const MAX_NAME = 512;

/** advisory id -> (`type\0name` of a package, or '*' for all) -> functions */
export type FunctionMap = Map<string, Map<string, string[]>>;

function names(value: unknown, where: string, problems: AdvisoryProblem[]): string[] {
  if (!Array.isArray(value) || value.some((f) => typeof f !== 'string' || f === '' || f.length > MAX_NAME)) {
    problems.push({ where, what: `expected a list of function names (strings of 1 to ${MAX_NAME} characters)`, advice: 'this entry is skipped' });
    return [];
  }
  return (value as string[]).slice(0, MAX_FUNCTIONS);
}

export function readFunctionFile(path: string, problems: AdvisoryProblem[]): FunctionMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readRegularFile(path, MAX_BYTES).toString('utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read --functions ${path}: ${(err as Error).message.slice(0, 200)}`,
      'give a JSON object mapping advisory ids to function lists, see docs/vex.md',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`cannot read --functions ${path}: not a JSON object`, 'give a JSON object mapping advisory ids to function lists, see docs/vex.md');
  }
  const map: FunctionMap = new Map();
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `${path}: ${id.slice(0, 128)}`;
    const byPackage = new Map<string, string[]>();
    if (Array.isArray(value)) {
      byPackage.set('*', names(value, where, problems));
    } else if (typeof value === 'object' && value !== null) {
      for (const [purl, list] of Object.entries(value as Record<string, unknown>)) {
        const key = packageKeyOf(purl);
        if (!key) {
          problems.push({
            where,
            what: `"${purl.slice(0, 128)}" is not a package URL`,
            advice: 'this entry is skipped; write pkg:npm/name or pkg:maven/group/artifact',
          });
          continue;
        }
        byPackage.set(packageKeyText(key.type, key.name), names(list, where, problems));
      }
    } else {
      problems.push({ where, what: 'expected a list of functions or an object of lists keyed by package URL', advice: 'this entry is skipped' });
      continue;
    }
    map.set(id, byPackage);
  }
  return map;
}

/** Adds the file's functions to the advisories they name (by id or alias). */
export function addFunctions(advisories: Advisory[], map: FunctionMap): void {
  if (map.size === 0) return;
  for (const advisory of advisories) {
    const entries = [advisory.id, ...advisory.aliases].map((id) => map.get(id)).filter((m): m is Map<string, string[]> => m !== undefined);
    for (const byPackage of entries) {
      for (const affected of advisory.affected) {
        const extra = [...(byPackage.get('*') ?? []), ...(byPackage.get(packageKeyText(affected.ecosystem.purlType, affected.name)) ?? [])];
        if (extra.length > 0) affected.functions = [...new Set([...affected.functions, ...extra])];
      }
    }
  }
}
