// What the JVM agent records for the usage-state fixture (test/fixtures/java-usage-states):
// one library jar whose code runs, one whose class is loaded but never run, one never loaded.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApitraceEvent, CodeUnit, FunctionInventory } from '@apitrace/core';
import { FIXTURES, JVM_AGENT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';
import { readValidRun } from '../support/runs.js';

describe('jvm agent: used, loaded and installed library jars (end to end)', function () {
  this.timeout(120_000);
  const work = tempDir('jvm-usage');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('tells the three apart by classload, scan and which methods ran', async () => {
    const fixture = join(FIXTURES, 'java-usage-states');
    const lib = join(fixture, 'app/target/lib');
    const dir = join(work, 'run');
    mkdirSync(dir);
    const r = await runProgram(
      'java',
      [`-javaagent:${JVM_AGENT}`, '-cp', 'app/target/usage-app.jar:app/target/lib/*', 'dev.apitrace.fixture.app.UsageStates'],
      { cwd: fixture, env: cleanEnv({ APITRACE_DIR: dir }) },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hello fixture\nloaded dev.apitrace.fixture.loaded.LoadedOnly\n');
    const events: ApitraceEvent[] = (await readValidRun(dir)).events.map((e) => e.event);
    const units = events.filter((e): e is CodeUnit => e.kind === 'code_unit');
    const inventory = events.filter((e): e is FunctionInventory => e.kind === 'function_inventory');
    const unitOf = (artifact: string): CodeUnit | undefined => units.find((u) => u.path === join(lib, `${artifact}-1.0.0.jar`));
    const coordinates = (artifact: string): unknown => [{ group: 'dev.apitrace.fixtures', artifact, version: '1.0.0' }];

    assert.equal(unitOf('usage-used')?.how, 'classload');
    assert.deepEqual(unitOf('usage-used')?.maven, coordinates('usage-used'));
    const greeter = inventory.filter((i) => i.scope === 'dev.apitrace.fixture.used.Greeter');
    assert.ok(greeter.some((i) => i.functions.some((f) => f.name === 'greet' && f.ran)));
    assert.ok(
      greeter.every((i) => i.functions.every((f) => f.name === 'greet' || !f.ran)),
      'only greet ran',
    );

    assert.equal(unitOf('usage-loaded')?.how, 'classload');
    assert.deepEqual(unitOf('usage-loaded')?.maven, coordinates('usage-loaded'));
    const loadedOnly = inventory.filter((i) => i.scope === 'dev.apitrace.fixture.loaded.LoadedOnly');
    assert.ok(loadedOnly.length > 0 && loadedOnly.every((i) => i.loaded === true && i.functions.every((f) => !f.ran)));
    assert.deepEqual(loadedOnly[0]?.functions.map((f) => f.name).sort(), ['<clinit>', '<init>', 'describe']);

    assert.equal(unitOf('usage-installed')?.how, 'scan');
    assert.equal(unitOf('usage-installed')?.loaded, false);
    assert.deepEqual(unitOf('usage-installed')?.maven, coordinates('usage-installed'));
    const never = inventory.filter((i) => i.scope === 'dev.apitrace.fixture.installed.NeverLoaded');
    assert.ok(never.length === 1 && never[0]?.loaded === false && never[0].unit === join(lib, 'usage-installed-1.0.0.jar'));
  });
});
