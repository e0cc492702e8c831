// What GitHub code scanning requires of an uploaded SARIF file beyond the 2.1.0 shape, checked
// on our own output (the tests run it on every findings.sarif): version and schema, a driver
// with rules, results that name a known rule, carry a message and a location with a URI, code
// flows with at least one location each, and a numeric security-severity on every rule.
interface Loose {
  [key: string]: unknown;
}

const obj = (v: unknown): Loose | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

function locationProblem(location: unknown, where: string): string | undefined {
  const physical = obj(obj(location)?.['physicalLocation']);
  if (!physical) return undefined;
  const artifact = obj(physical['artifactLocation']);
  const uri = artifact?.['uri'];
  if (typeof uri !== 'string' || uri === '') return `${where}: physicalLocation without artifactLocation.uri`;
  if (artifact?.['uriBaseId'] !== undefined && (uri.startsWith('/') || /^[a-z]+:/i.test(uri))) return `${where}: ${uri} is absolute but has a uriBaseId`;
  const region = obj(physical['region']);
  if (region && !(Number.isInteger(region['startLine']) && (region['startLine'] as number) >= 1)) return `${where}: region.startLine must be an integer >= 1`;
  return undefined;
}

/** undefined when the log passes, else the first problem found. */
export function sarifProblem(text: string): string | undefined {
  let log: Loose | undefined;
  try {
    log = obj(JSON.parse(text));
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (!log) return 'not an object';
  if (log['version'] !== '2.1.0') return `version is ${JSON.stringify(log['version'])}, not "2.1.0"`;
  const runs = arr(log['runs']);
  if (!runs || runs.length === 0) return 'no runs';
  for (const [r, runValue] of runs.entries()) {
    const run = obj(runValue);
    const driver = obj(obj(run?.['tool'])?.['driver']);
    if (!driver || typeof driver['name'] !== 'string') return `runs[${r}].tool.driver.name is missing`;
    const rules = arr(driver['rules']) ?? [];
    const ids = new Set<string>();
    for (const [i, ruleValue] of rules.entries()) {
      const rule = obj(ruleValue);
      if (typeof rule?.['id'] !== 'string') return `rule ${i} has no id`;
      ids.add(rule['id']);
      const severity = obj(rule['properties'])?.['security-severity'];
      if (typeof severity !== 'string' || !/^\d+(\.\d+)?$/.test(severity) || Number(severity) > 10)
        return `rule ${rule['id']}: security-severity ${JSON.stringify(severity)} is not a number from 0 to 10 as a string`;
    }
    for (const [i, resultValue] of (arr(run?.['results']) ?? []).entries()) {
      const result = obj(resultValue);
      const where = `runs[${r}].results[${i}]`;
      if (typeof result?.['ruleId'] !== 'string' || !ids.has(result['ruleId']))
        return `${where}: ruleId ${JSON.stringify(result?.['ruleId'])} names no rule of the driver`;
      const index = result['ruleIndex'];
      if (index !== undefined && obj(rules[index as number])?.['id'] !== result['ruleId'])
        return `${where}: ruleIndex ${String(index)} is not rule ${result['ruleId']}`;
      if (typeof obj(result['message'])?.['text'] !== 'string') return `${where}: message.text is missing`;
      const locations = arr(result['locations']) ?? [];
      if (locations.length === 0) return `${where}: no location (code scanning needs one)`;
      for (const [l, location] of locations.entries()) {
        const problem = locationProblem(location, `${where}.locations[${l}]`);
        if (problem) return problem;
      }
      for (const [c, flow] of (arr(result['codeFlows']) ?? []).entries()) {
        const threads = arr(obj(flow)?.['threadFlows']) ?? [];
        if (threads.length === 0) return `${where}.codeFlows[${c}]: no threadFlows`;
        for (const [t, thread] of threads.entries()) {
          const steps = arr(obj(thread)?.['locations']) ?? [];
          if (steps.length === 0) return `${where}.codeFlows[${c}].threadFlows[${t}]: no locations`;
          for (const [s, step] of steps.entries()) {
            const problem = locationProblem(obj(step)?.['location'], `${where}.codeFlows[${c}].threadFlows[${t}].locations[${s}]`);
            if (problem) return problem;
          }
        }
      }
    }
  }
  return undefined;
}
