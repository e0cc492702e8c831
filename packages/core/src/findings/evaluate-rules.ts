// Runs the rule set over the model: every kept call and every aggregated usage becomes an
// observation; each rule's match picks observations; matches of the same rule, component,
// API and call site become one finding carrying the best merged stack seen for it.
import type { AppModel, Component, MergedStack, ModelFrame } from '../model/app-model.js';
import { ownActivity, type OwnActivity } from '../fingerprint/own-activity.js';
import { callingFrame } from './observation-facts.js';
import type { FindingRule, Observation, Severity } from './rule.js';
import { FINDING_RULES } from './rules/index.js';

export interface Finding {
  rule: FindingRule;
  message: string;
  /** calling component ref */
  component: string;
  api: string;
  source: Observation['source'];
  /** how many calls this finding stands for */
  count: number;
  processes: string[];
  /** the merged call stack, innermost first (empty when no emitter recorded one) */
  stack: MergedStack;
  /** the frame of the code that made the call */
  frame?: ModelFrame;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const JOIN_RANK = { exact: 0, inferred: 1, none: 2 } as const;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sourceOfApi(api: string): Observation['source'] {
  if (api.startsWith('node:') || api.startsWith('npm:')) return 'node';
  if (api.startsWith('java:') || api.startsWith('jvm:')) return 'jvm';
  return 'native';
}

/** More language frames, a better join, then fewer frames: what a person wants to see. */
function betterStack(a: MergedStack | undefined, b: MergedStack | undefined): boolean {
  if (!b) return false;
  if (!a) return true;
  const lang = (s: MergedStack): number => s.frames.filter((f) => f.lang !== 'native' && f.file !== undefined).length;
  if (lang(a) !== lang(b)) return lang(b) > lang(a);
  return JOIN_RANK[b.join] < JOIN_RANK[a.join];
}

function observations(model: AppModel, own: OwnActivity): { calls: Observation[]; usages: Observation[] } {
  const byRef = new Map<string, Component>(model.components.map((c) => [c.ref, c]));
  const componentOf = (ref: string | undefined): Component | undefined => (ref === undefined ? undefined : byRef.get(ref));
  const isOwn = (ref: string | undefined, subject: unknown): boolean =>
    own.isOwnComponent(componentOf(ref)) || (typeof subject === 'string' && subject.startsWith('/') && own.isOwnPath(subject));
  const calls: Observation[] = [];
  for (const call of model.calls) {
    const ref = call.component ?? (call.caller ? `unknown:${call.caller}` : 'unknown:');
    if (call.flags.length === 0 || isOwn(call.component, call.args?.['path'])) continue;
    const caller = componentOf(call.component);
    calls.push({
      from: 'call', api: call.api, category: call.category, component: ref, ...(caller ? { caller } : {}),
      args: call.args ?? {}, flags: new Set(call.flags), source: call.source,
      ...(call.stack ? { stack: call.stack } : {}), count: 1, processes: [call.process],
    });
  }
  const usages: Observation[] = [];
  for (const u of model.apiUsages) {
    if (u.flags.length === 0 || isOwn(u.component, u.subject)) continue;
    const caller = componentOf(u.component);
    let stack: MergedStack | undefined;
    for (const s of u.stacks) if (betterStack(stack, s)) stack = s;
    usages.push({
      from: 'usage', api: u.api, category: u.category, component: u.component, ...(caller ? { caller } : {}),
      ...(u.subject === undefined ? {} : { subject: u.subject }),
      args: {}, flags: new Set(u.flags), source: sourceOfApi(u.api), ...(stack ? { stack } : {}), count: u.count, processes: u.processes,
    });
  }
  return { calls, usages };
}

function locationKey(frame: ModelFrame | undefined): string {
  return frame ? `${frame.file ?? frame.unit ?? ''}:${frame.line ?? ''}:${frame.fn}` : '';
}

export function evaluateRules(model: AppModel, rules: readonly FindingRule[] = FINDING_RULES): Finding[] {
  const own = ownActivity(model);
  const { calls, usages } = observations(model, own);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const results = new Map<string, Finding>();
    const seenFromCalls = new Set<string>();
    const add = (o: Observation): void => {
      const frame = callingFrame(o);
      const group = rule.groupKey ? rule.groupKey(o) : `${o.component}\0${o.api}`;
      const key = rule.perCaller ? `${o.component}\0${o.api}` : `${group}\0${locationKey(frame)}`;
      const existing = results.get(key);
      if (!existing) {
        results.set(key, {
          rule, message: rule.message(o), component: o.component, api: o.api, source: o.source, count: o.count,
          processes: [...o.processes], stack: o.stack ?? { frames: [], join: 'none' }, ...(frame ? { frame } : {}),
        });
        return;
      }
      existing.count += o.count;
      existing.processes = [...new Set([...existing.processes, ...o.processes])].sort(byString);
      if (betterStack(existing.stack, o.stack)) {
        existing.stack = o.stack!;
        existing.message = rule.message(o);
        if (frame) existing.frame = frame;
      }
    };
    for (const o of calls) {
      if (!rule.match(o)) continue;
      seenFromCalls.add(`${o.component}\0${o.api}`);
      add(o);
    }
    // Usages add what no kept call showed (aggregated-only records, calls past maxCalls).
    for (const o of usages) if (!seenFromCalls.has(`${o.component}\0${o.api}`) && rule.match(o)) add(o);

    let ruleFindings = [...results.values()];
    // A language emitter saw the same thing with a better stack: the runtime's or the
    // distribution's native call underneath (node's fork+exec of /bin/sh) adds nothing.
    if (ruleFindings.some((f) => f.source !== 'native')) {
      ruleFindings = ruleFindings.filter((f) => {
        if (f.source !== 'native') return true;
        const caller = model.components.find((c) => c.ref === f.component);
        return !(caller?.kind === 'runtime' || caller?.debian !== undefined);
      });
    }
    findings.push(...ruleFindings);
  }
  return findings.sort((a, b) =>
    SEVERITY_RANK[a.rule.severity] - SEVERITY_RANK[b.rule.severity] || rules.indexOf(a.rule) - rules.indexOf(b.rule) ||
    byString(a.message, b.message) || byString(a.component, b.component));
}
