// What a finding rule is: data (id, title, severity, CWE, explanation, fix) and a match over
// observations of the model. findings/rules/ holds one rule per file; evaluate-rules.ts runs
// them all the same way.
import type { Category } from '../schema/events.generated.js';
import type { Component, MergedStack } from '../model/app-model.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One thing the application did, from a kept call (exact args and flags) or an aggregated usage. */
export interface Observation {
  from: 'call' | 'usage';
  api: string;
  category: Category;
  /** the calling component's ref (`unknown:<path>` when none resolved) */
  component: string;
  /** the calling component, when the model has it */
  caller?: Component;
  subject?: string;
  args: Record<string, unknown>;
  flags: ReadonlySet<string>;
  /** language of the emitter that saw it (`native` for the shim) */
  source: 'native' | 'node' | 'jvm' | 'unknown';
  stack?: MergedStack;
  count: number;
  processes: string[];
  /** refs of the application's own components (its code is where a finding's call site is) */
  applicationComponents?: ReadonlySet<string>;
}

export interface FindingRule {
  /** stable id, also the SARIF ruleId */
  id: string;
  title: string;
  severity: Severity;
  /** e.g. CWE-78 */
  cwe: string[];
  /** why it matters, for a person */
  explanation: string;
  /** what to do instead */
  fix: string;
  /** the observations this rule reports */
  match(o: Observation): boolean;
  /** one line saying what was seen, e.g. `rand() makes a session token in make_session_token` */
  message(o: Observation): string;
  /**
   * what makes two matches the same result (besides rule and stack location); default:
   * component and API
   */
  groupKey?(o: Observation): string;
  /** one result per calling component and API, wherever in it the calls were (default: one per call site) */
  perCaller?: boolean;
}

/** SARIF's security-severity (GitHub buckets: >= 9 critical, >= 7 high, >= 4 medium, else low). */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.1', high: '7.5', medium: '5.3', low: '3.1' };

export const apiName = (api: string): string => api.slice(api.indexOf(':') + 1);
