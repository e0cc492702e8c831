// Runs the rule set over the model: every kept call and every aggregated usage becomes an
// observation; each rule's match picks observations; matches of the same rule, component,
// API and call site become one finding carrying the best merged stack seen for it.
import type { AppModel, Component, MergedStack, ModelFrame } from '../model/app-model.js';
import { ownActivity, type OwnActivity } from '../own/apitrace-own.js';
import { callingFrame, isAgentWork } from './observation-facts.js';
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
  const applicationComponents = new Set(model.components.filter((c) => c.kind === 'application').map((c) => c.ref));
  const componentOf = (ref: string | undefined): Component | undefined => (ref === undefined ? undefined : byRef.get(ref));
  const isOwn = (ref: string | undefined, subject: unknown): boolean =>
    own.isOwnComponent(componentOf(ref)) || (typeof subject === 'string' && subject.startsWith('/') && own.isOwnPath(subject));
  const calls: Observation[] = [];
  for (const call of model.calls) {
    const ref = call.component ?? (call.caller ? `unknown:${call.caller}` : 'unknown:');
    if (call.flags.length === 0 || isOwn(call.component, call.args?.['path'])) continue;
    const caller = componentOf(call.component);
    const observation: Observation = {
      from: 'call',
      api: call.api,
      category: call.category,
      component: ref,
      ...(caller ? { caller } : {}),
      args: call.args ?? {},
      flags: new Set(call.flags),
      source: call.source,
      ...(call.stack ? { stack: call.stack } : {}),
      count: 1,
      processes: [call.process],
      applicationComponents,
    };
    if (!isAgentWork(observation)) calls.push(observation);
  }
  const usages: Observation[] = [];
  for (const u of model.apiUsages) {
    if (u.flags.length === 0 || isOwn(u.component, u.subject)) continue;
    const caller = componentOf(u.component);
    let stack: MergedStack | undefined;
    for (const s of u.stacks) if (betterStack(stack, s)) stack = s;
    const observation: Observation = {
      from: 'usage',
      api: u.api,
      category: u.category,
      component: u.component,
      ...(caller ? { caller } : {}),
      ...(u.subject === undefined ? {} : { subject: u.subject }),
      args: {},
      flags: new Set(u.flags),
      source: sourceOfApi(u.api),
      ...(stack ? { stack } : {}),
      count: u.count,
      processes: u.processes,
      applicationComponents,
    };
    if (!isAgentWork(observation)) usages.push(observation);
  }
  return { calls, usages };
}

function locationKey(frame: ModelFrame | undefined): string {
  return frame ? `${frame.file ?? frame.unit ?? ''}:${frame.line ?? ''}:${frame.fn}` : '';
}

export function evaluateRules(model: AppModel, rules: readonly FindingRule[] = FINDING_RULES): Finding[] {
  const own = ownActivity(model);
  const byRef = new Map(model.components.map((c) => [c.ref, c]));
  const parentOf = new Map(model.processes.map((p) => [p.id, p.parent]));
  const descendsFrom = (id: string, ancestors: ReadonlySet<string>): boolean => {
    for (let p: string | undefined = id, hops = 0; p !== undefined && hops < 1000; p = parentOf.get(p), hops++) if (ancestors.has(p)) return true;
    return false;
  };
  const { calls, usages } = observations(model, own);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const results = new Map<string, Finding>();
    // Usages add what no kept call showed (aggregated-only records, calls past maxCalls): a usage
    // unions the flags of all its calls, so it is judged only where no call can be.
    const seenFromCalls = new Set(calls.map((o) => `${o.component}\0${o.api}`));
    const add = (o: Observation): void => {
      const frame = callingFrame(o);
      const group = rule.groupKey ? rule.groupKey(o) : `${o.component}\0${o.api}`;
      const key = rule.perCaller ? `${o.component}\0${o.api}` : `${group}\0${locationKey(frame)}`;
      const existing = results.get(key);
      if (!existing) {
        results.set(key, {
          rule,
          message: rule.message(o),
          component: o.component,
          api: o.api,
          source: o.source,
          count: o.count,
          processes: [...o.processes],
          stack: o.stack ?? { frames: [], join: 'none' },
          ...(frame ? { frame } : {}),
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
    for (const o of calls) if (rule.match(o)) add(o);
    for (const o of usages) if (!seenFromCalls.has(`${o.component}\0${o.api}`) && rule.match(o)) add(o);

    let ruleFindings = [...results.values()];
    // A language emitter saw the same thing with a better stack: the native call underneath it
    // (node's fork+exec of /bin/sh, the JVM's jspawnhelper) in the same or a child process, or
    // by the runtime or a distribution package, adds nothing.
    const language = ruleFindings.filter((f) => f.source !== 'native');
    if (language.length > 0) {
      const languageProcesses = new Set(language.flatMap((f) => f.processes));
      ruleFindings = ruleFindings.filter((f) => {
        if (f.source !== 'native') return true;
        const caller = byRef.get(f.component);
        if (caller?.kind === 'runtime' || caller?.debian !== undefined) return false;
        return !f.processes.every((p) => descendsFrom(p, languageProcesses));
      });
    }
    findings.push(...ruleFindings);
  }
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.rule.severity] - SEVERITY_RANK[b.rule.severity] ||
      rules.indexOf(a.rule) - rules.indexOf(b.rule) ||
      byString(a.message, b.message) ||
      byString(a.component, b.component),
  );
}
