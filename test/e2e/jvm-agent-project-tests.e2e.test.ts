// A real project's own unit tests pass identically with and without the JVM agent:
// examples/java-app's JUnit suite (Jackson, Guava, H2, an HTTP round trip) run by Maven
// Surefire twice, bare and with -javaagent in the forked test JVM, reports compared.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionInventory } from '@apitrace/core';
import { JVM_AGENT, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';
import { readValidRun } from '../support/runs.js';

const APP_DIR = join(REPO_ROOT, 'examples/java-app');
const REPORTS = join(APP_DIR, 'target/surefire-reports');

/** classname#name -> passed | failed | error | skipped, from the Surefire XML reports of one run. */
function outcomes(suffix: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const file of readdirSync(REPORTS).filter((f) => f.startsWith('TEST-') && f.endsWith(`-${suffix}.xml`))) {
    const xml = readFileSync(join(REPORTS, file), 'utf8');
    for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const attr = (name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1] ?? '')?.[1];
      const body = m[3] ?? '';
      const outcome = /<failure\b/.test(body) ? 'failed' : /<error\b/.test(body) ? 'error' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
      result.set(`${attr('classname')}#${attr('name')}`, outcome);
    }
  }
  return result;
}

describe("jvm agent: a project's own unit tests (end to end)", function () {
  this.timeout(600_000);
  const work = tempDir('jvm-project-tests');
  const suffixes = [`bare${process.pid}`, `agent${process.pid}`];
  after(() => {
    rmSync(work, { recursive: true, force: true });
    for (const f of readdirSync(REPORTS)) if (suffixes.some((s) => f.includes(`-${s}.`))) rmSync(join(REPORTS, f));
  });

  it('passes the same tests with the same outcomes with the agent in the test JVM', async () => {
    const surefire = (suffix: string, argLine: string, env: NodeJS.ProcessEnv) =>
      runProgram(
        'mvn',
        ['-B', '-q', '-ntp', '-f', join(APP_DIR, 'pom.xml'), 'surefire:test', `-Dsurefire.reportNameSuffix=${suffix}`, `-Dapp.argLine=${argLine}`],
        { env: cleanEnv(env) },
      );
    const bare = await surefire(suffixes[0]!, '', {});
    assert.equal(bare.status, 0, bare.stdout + bare.stderr);
    const dir = join(work, 'run');
    mkdirSync(dir);
    const traced = await surefire(suffixes[1]!, `-javaagent:${JVM_AGENT}`, { APITRACE_DIR: dir });
    assert.equal(traced.status, 0, traced.stdout + traced.stderr);

    const without = outcomes(suffixes[0]!);
    const withAgent = outcomes(suffixes[1]!);
    assert.ok(without.size >= 4, `found ${without.size} tests`);
    assert.ok([...without.values()].every((o) => o === 'passed'));
    assert.deepEqual([...withAgent.entries()].sort(), [...without.entries()].sort());

    // The agent really was in the forked test JVM: the application's classes ran under its probes.
    const events = (await readValidRun(dir)).events.map((e) => e.event);
    const store = events.filter((e): e is FunctionInventory => e.kind === 'function_inventory' && e.scope === 'dev.apitrace.example.OrderStore');
    assert.ok(store.some((r) => r.functions.some((f) => f.name === 'itemsOf' && f.ran)));
  });
});
