// The verdicts: for every advisory and every observed component it affects (same package, a
// version inside its ranges), what the runs say, never more than they observed:
//
//   component never loaded in any run                 -> not_affected (never_loaded)
//   loaded, the vulnerable functions located, none ran -> not_affected (functions_not_run)
//   ...but the package's functions that ran are fewer than --min-coverage -> under_investigation (thin_coverage)
//   loaded, some vulnerable function not located      -> under_investigation (functions_not_located)
//   ...or code of it ran without probes (the emitters say so) -> under_investigation (inventory_incomplete)
//   loaded, no function data                          -> under_investigation (loaded_no_function_data)
//   a vulnerable function ran                         -> affected (function_ran), with the stack of its first call
//   used and no function data                         -> affected (used_no_function_data), with the first-use stack
//   a component the runs never saw                    -> no verdict at all
// and no not_affected at all when the runs lost records (refused lines, a file cut off when its
// process died): a lost record may be the one that showed the code loaded or running, so those
// become under_investigation (records_lost).
import type { Advisory, AffectedPackage } from './advisory.js';
import { isAffectedVersion } from './osv-ranges.js';
import type { Observation, ObservedComponent, ObservedStack } from './observation.js';
import { packageKeyText } from './package-names.js';
import { vulnerableFunctionOutcomes, type FunctionOutcome } from './vulnerable-functions.js';

export type VerdictStatus = 'not_affected' | 'affected' | 'under_investigation';

export type VerdictReason =
  | 'never_loaded'
  | 'functions_not_run'
  | 'thin_coverage'
  | 'functions_not_located'
  | 'inventory_incomplete'
  | 'loaded_no_function_data'
  | 'function_ran'
  | 'used_no_function_data'
  | 'records_lost';

export interface Verdict {
  advisory: Advisory;
  affected: AffectedPackage;
  component: ObservedComponent;
  status: VerdictStatus;
  reason: VerdictReason;
  /** one outcome per vulnerable function (empty when the advisory names none) */
  functions: FunctionOutcome[];
  /** share of the package's functions that ran, where its inventory exists */
  coverage?: { ran: number; total: number };
  /** affected: the stack of the first vulnerable call, else of the component's first use */
  stack?: ObservedStack & { of: 'vulnerable_call' | 'first_use' };
  /** records_lost: what the verdict would have been, and how many records the runs lost */
  lost?: { wouldBe: 'never_loaded' | 'functions_not_run'; records: number };
}

export interface VerdictOptions {
  /** percent (0-100) of the package's functions that must have run for a function-level not_affected */
  minCoverage?: number;
}

/** A not_affected the runs cannot back because they lost records. */
function unlessRecordsLost(v: Verdict, lostRecords: number): Verdict {
  if (v.status !== 'not_affected' || lostRecords === 0) return v;
  return {
    ...v,
    status: 'under_investigation',
    reason: 'records_lost',
    lost: { wouldBe: v.reason as 'never_loaded' | 'functions_not_run', records: lostRecords },
  };
}

function coverageOf(c: ObservedComponent): Verdict['coverage'] {
  if (!c.functions) return undefined;
  return { ran: c.functions.filter((f) => f.ran).length, total: c.functions.length };
}

/** The verdict of one advisory entry on one observed component (its version already matched). */
export function verdictFor(
  advisory: Advisory,
  affected: AffectedPackage,
  component: ObservedComponent,
  options: VerdictOptions = {},
  lostRecords = 0,
): Verdict {
  return unlessRecordsLost(judge(advisory, affected, component, options), lostRecords);
}

function judge(advisory: Advisory, affected: AffectedPackage, component: ObservedComponent, options: VerdictOptions): Verdict {
  const coverage = coverageOf(component);
  const base = { advisory, affected, component, ...(coverage ? { coverage } : {}) };
  if (component.usage === 'installed') return { ...base, status: 'not_affected', reason: 'never_loaded', functions: [] };

  const functions = vulnerableFunctionOutcomes(affected.functions, component);
  const ran = functions.filter((f): f is Extract<FunctionOutcome, { state: 'ran' }> => f.state === 'ran');
  if (ran.length > 0) {
    const first = ran
      .map((f) => f.first)
      .filter((s): s is ObservedStack => s !== undefined)
      .sort((a, b) => ((a.at ?? '\uffff') < (b.at ?? '\uffff') ? -1 : 1))[0];
    const stack = first ? { ...first, of: 'vulnerable_call' as const } : component.firstUse ? { ...component.firstUse, of: 'first_use' as const } : undefined;
    return { ...base, status: 'affected', reason: 'function_ran', functions, ...(stack ? { stack } : {}) };
  }
  const noFunctionData = functions.length === 0 || component.functions === undefined;
  if (noFunctionData) {
    if (component.usage === 'used') {
      const stack = component.firstUse ? { ...component.firstUse, of: 'first_use' as const } : undefined;
      return { ...base, status: 'affected', reason: 'used_no_function_data', functions, ...(stack ? { stack } : {}) };
    }
    return { ...base, status: 'under_investigation', reason: 'loaded_no_function_data', functions };
  }
  if (functions.some((f) => f.state === 'not_located')) return { ...base, status: 'under_investigation', reason: 'functions_not_located', functions };
  if (component.inventoryGaps.length > 0) return { ...base, status: 'under_investigation', reason: 'inventory_incomplete', functions };
  const min = options.minCoverage;
  if (min !== undefined && coverage && (coverage.total === 0 || (100 * coverage.ran) / coverage.total < min)) {
    return { ...base, status: 'under_investigation', reason: 'thin_coverage', functions };
  }
  return { ...base, status: 'not_affected', reason: 'functions_not_run', functions };
}

/** Every verdict of the advisories on the observation, sorted by advisory id, then purl. */
export function verdictsOf(advisories: readonly Advisory[], observation: Observation, options: VerdictOptions = {}): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const advisory of advisories) {
    const seen = new Set<string>();
    for (const affected of advisory.affected) {
      const purls = observation.byPackage.get(packageKeyText(affected.ecosystem.purlType, affected.name)) ?? [];
      for (const purl of purls) {
        const component = observation.components.get(purl)!;
        const version = component.key.version;
        if (version === undefined || seen.has(purl)) continue;
        if (affected.ecosystem.order.invalid(version) !== undefined || !isAffectedVersion(version, affected)) continue;
        seen.add(purl);
        verdicts.push(verdictFor(advisory, affected, component, options, observation.window.lostRecords));
      }
    }
  }
  return verdicts.sort((a, b) =>
    a.advisory.id < b.advisory.id
      ? -1
      : a.advisory.id > b.advisory.id
        ? 1
        : a.component.purl < b.component.purl
          ? -1
          : a.component.purl > b.component.purl
            ? 1
            : 0,
  );
}
