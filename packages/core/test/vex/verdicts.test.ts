// The verdict table, row by row, on observations built by hand: never claim more than observed.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory, AffectedPackage } from '../../src/vex/advisory.js';
import type { Observation, ObservedComponent, ObservedFunction } from '../../src/vex/observation.js';
import { verdictFor, verdictsOf } from '../../src/vex/verdicts.js';
import { verdictDetail } from '../../src/vex/verdict-text.js';
import { ecosystemOf, type Ecosystem } from '../../src/vex/versions/ecosystem-versions.js';
import type { MergedStack, UsageState } from '../../src/model/app-model.js';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { ObservationBuilder } from '../../src/vex/observation.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

const runDir = runDirsRemovedAfterTests();

function ecosystem(name: string): Ecosystem {
  const found = ecosystemOf(name);
  if (!('ecosystem' in found)) throw new Error(name);
  return found.ecosystem;
}

const APP_STACK: MergedStack = { frames: [{ lang: 'js', fn: 'render', file: '/srv/app/app.js', line: 6 }], join: 'none' };

function npmComponent(
  usage: ObservedComponent['usage'],
  functions?: ObservedFunction[],
  exportCalls: ObservedComponent['exportCalls'] = new Map(),
): ObservedComponent {
  return {
    purl: 'pkg:npm/lodash@4.17.20',
    key: { type: 'npm', name: 'lodash', version: '4.17.20' },
    kind: 'npm',
    name: 'lodash',
    version: '4.17.20',
    usage,
    ...(functions ? { functions } : {}),
    exportCalls,
    runs: 1,
    inventoryGaps: [],
    ...(usage === 'used' ? { firstUse: { stack: APP_STACK, at: '2024-05-01T10:00:01.000Z' } } : {}),
  };
}

const fn = (name: string, ran: boolean, scope = 'lodash.js'): ObservedFunction => ({
  unit: '/srv/app/node_modules/lodash',
  scope,
  name,
  ran,
  hits: ran ? 3 : 0,
});

function lodashAdvisory(functions: string[]): { advisory: Advisory; affected: AffectedPackage } {
  const affected: AffectedPackage = {
    ecosystem: ecosystem('npm'),
    name: 'lodash',
    ranges: [{ events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    versions: [],
    fixed: ['4.17.21'],
    functions,
  };
  return { advisory: { id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], source: 'test', affected: [affected] }, affected };
}

const WINDOW = { start: '2024-05-01T10:00:00.000Z', end: '2024-05-01T10:05:00.000Z', processes: 3, runs: 2, lostRecords: 0 };

describe('VEX verdicts', () => {
  it('installed, never loaded in any run: not_affected, naming the window', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const v = verdictFor(advisory, affected, npmComponent('installed'));
    assert.deepEqual([v.status, v.reason], ['not_affected', 'never_loaded']);
    assert.match(verdictDetail(v, WINDOW), /never loaded in 2 runs \(3 processes\) between 2024-05-01T10:00:00.000Z and 2024-05-01T10:05:00.000Z/);
  });

  it('loaded, vulnerable functions in the inventory, none ran: not_affected naming the functions and the coverage', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const v = verdictFor(advisory, affected, npmComponent('used', [fn('template', false), fn('map', true), fn('uniq', false), fn('chunk', false)]));
    assert.deepEqual([v.status, v.reason], ['not_affected', 'functions_not_run']);
    assert.deepEqual(v.coverage, { ran: 1, total: 4 });
    const detail = verdictDetail(v, WINDOW);
    assert.match(detail, /lodash\.template/);
    assert.match(detail, /1 of 4 functions of the package ran \(25\.0%\)/);
  });

  it('--min-coverage turns thin function evidence into under_investigation', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const component = npmComponent('used', [fn('template', false), fn('map', true), fn('uniq', false), fn('chunk', false)]);
    assert.equal(verdictFor(advisory, affected, component, { minCoverage: 25 }).status, 'not_affected');
    const thin = verdictFor(advisory, affected, component, { minCoverage: 30 });
    assert.deepEqual([thin.status, thin.reason], ['under_investigation', 'thin_coverage']);
  });

  it('loaded with no function data: under_investigation, loaded is no proof of safety', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    assert.deepEqual([verdictFor(advisory, affected, npmComponent('loaded')).status], ['under_investigation']);
    const libraryLevel = lodashAdvisory([]);
    const v = verdictFor(libraryLevel.advisory, libraryLevel.affected, npmComponent('loaded', [fn('map', false)]));
    assert.deepEqual([v.status, v.reason], ['under_investigation', 'loaded_no_function_data']);
  });

  it('npm: a function pinned to its module matches only that module', () => {
    const component = npmComponent('used', [fn('template', true, 'template.js'), fn('template', false, 'lodash.js'), fn('map', true)]);
    const status = (functions: string[]): string => {
      const { advisory, affected } = lodashAdvisory(functions);
      return verdictFor(advisory, affected, component).status;
    };
    assert.equal(status(['lodash/lodash.js#template']), 'not_affected');
    assert.equal(status(['lodash/template.js#template']), 'affected');
    assert.equal(status(['lodash.template']), 'affected');
    assert.equal(status(['lodash/fp.js#template']), 'under_investigation');
  });

  it('a vulnerable function not in the inventory: under_investigation, never not_affected', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template', 'lodash.trim']);
    const v = verdictFor(advisory, affected, npmComponent('used', [fn('template', false), fn('map', true)]));
    assert.deepEqual([v.status, v.reason], ['under_investigation', 'functions_not_located']);
  });

  it('a vulnerable function ran: affected, with the stack of its first call from the app', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const calls = new Map([['npm:lodash.template', { api: 'npm:lodash.template', count: 2, first: { stack: APP_STACK, at: '2024-05-01T10:00:02.000Z' } }]]);
    const v = verdictFor(advisory, affected, npmComponent('used', [fn('template', true), fn('map', false)], calls));
    assert.deepEqual([v.status, v.reason, v.stack?.of], ['affected', 'function_ran', 'vulnerable_call']);
    assert.equal(v.stack?.stack.frames[0]?.file, '/srv/app/app.js');
  });

  it('a call of the vulnerable export alone (no inventory) is enough for affected', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const calls = new Map([['npm:lodash.template', { api: 'npm:lodash.template', count: 1, first: { stack: APP_STACK } }]]);
    assert.equal(verdictFor(advisory, affected, npmComponent('used', undefined, calls)).status, 'affected');
  });

  it("used and no function data: affected, with the stack of the package's first use", () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const v = verdictFor(advisory, affected, npmComponent('used'));
    assert.deepEqual([v.status, v.reason, v.stack?.of], ['affected', 'used_no_function_data', 'first_use']);
    const libraryLevel = lodashAdvisory([]);
    assert.equal(verdictFor(libraryLevel.advisory, libraryLevel.affected, npmComponent('used', [fn('map', true)])).status, 'affected');
  });

  it('Java: a method in the inventory that did not run counts as not run; a class the inventory lacks is unknown', () => {
    const component: ObservedComponent = {
      purl: 'pkg:maven/dev.apitrace.fixtures/usage-used@1.0.0',
      key: { type: 'maven', name: 'dev.apitrace.fixtures:usage-used', version: '1.0.0' },
      kind: 'maven',
      name: 'usage-used',
      group: 'dev.apitrace.fixtures',
      version: '1.0.0',
      usage: 'used',
      exportCalls: new Map(),
      runs: 1,
      inventoryGaps: [],
      functions: [
        { unit: '/x.jar', scope: 'dev.apitrace.fixture.used.Greeter', name: 'greet', ran: true, hits: 1 },
        { unit: '/x.jar', scope: 'dev.apitrace.fixture.used.Greeter', name: 'unusedFarewell', ran: false, hits: 0 },
      ],
    };
    const affected: AffectedPackage = {
      ecosystem: ecosystem('Maven'),
      name: 'dev.apitrace.fixtures:usage-used',
      ranges: [],
      versions: ['1.0.0'],
      fixed: [],
      functions: [],
    };
    const advisory: Advisory = { id: 'TEST-1', aliases: [], source: 'test', affected: [affected] };
    const verdict = (functions: string[]): string => verdictFor(advisory, { ...affected, functions }, component).status;
    assert.equal(verdict(['dev.apitrace.fixture.used.Greeter#unusedFarewell']), 'not_affected');
    assert.equal(verdict(['dev.apitrace.fixture.used.Other.method']), 'under_investigation');
    assert.equal(verdict(['dev.apitrace.fixture.used.Greeter.greet']), 'affected');
    assert.equal(verdict(['dev.apitrace.fixture.used.Greeter#absent']), 'under_investigation');
  });

  it('native: a symbol the shim saw run makes it affected by that symbol; one it did not see stays at library level', () => {
    const component = (usage: UsageState, symbolsSeen?: string[]): ObservedComponent => ({
      purl: 'pkg:deb/debian/libc6@2.36-9',
      key: { type: 'deb', name: 'libc6', version: '2.36-9' },
      kind: 'native',
      name: 'libc6',
      version: '2.36-9',
      usage,
      exportCalls: new Map(),
      runs: 1,
      inventoryGaps: [],
      ...(symbolsSeen ? { symbolsSeen } : {}),
    });
    const affected: AffectedPackage = {
      ecosystem: ecosystem('Debian:12'),
      name: 'libc6',
      ranges: [],
      versions: ['2.36-9'],
      fixed: [],
      functions: ['getaddrinfo'],
    };
    const advisory: Advisory = { id: 'TEST-LIBC', aliases: [], source: 'test', affected: [affected] };
    const seen = verdictFor(advisory, affected, component('used', ['getaddrinfo', 'open']));
    assert.deepEqual([seen.status, seen.reason], ['affected', 'function_ran']);
    assert.deepEqual([verdictFor(advisory, affected, component('used', ['open'])).reason], ['used_no_function_data']);
    assert.equal(verdictFor(advisory, affected, component('loaded', ['open'])).status, 'under_investigation');
  });

  it('code that ran without probes leaves the inventory unable to prove a function did not run', async () => {
    // a class the agent left untouched (too large for probes) is listed at exit as never loaded
    const jar = '/srv/app/lib/big-1.0.jar';
    const jvm = (notices: unknown[]): string =>
      runDir({
        '100-jvm-0.jsonl': lines(
          processStart({ source: 'jvm', exe: '/usr/bin/java', argv: ['java', 'App'], runtime: { name: 'java', version: '17.0.13' } }),
          { kind: 'code_unit', t: 2000, unit: 'code_source', how: 'classload', path: jar, maven: [{ group: 'com.example', artifact: 'big', version: '1.0' }] },
          { kind: 'function_inventory', t: 3000, unit: jar, scope: 'com.example.Small', loaded: true, functions: [{ name: 'run', sig: '()V', ran: true }] },
          { kind: 'function_inventory', t: 4000, unit: jar, scope: 'com.example.Big', loaded: false, functions: [{ name: 'parse', sig: '()V', ran: false }] },
          ...notices,
          { kind: 'process_end', t: 5000, reason: 'exit', exit_code: 0 },
        ),
      });
    const tooLarge = { kind: 'notice', t: 4500, level: 'warn', code: 'class_too_large', message: 'loaded untouched', subject: 'com.example.Big' };
    const affected: AffectedPackage = {
      ecosystem: ecosystem('Maven'),
      name: 'com.example:big',
      ranges: [],
      versions: ['1.0'],
      fixed: [],
      functions: ['com.example.Big#parse'],
    };
    const advisory: Advisory = { id: 'TEST-BIG', aliases: [], source: 'test', affected: [affected] };
    const verdictOf = async (notices: unknown[]): Promise<string> => {
      const builder = new ObservationBuilder();
      builder.add(await buildAppModel(jvm(notices), { hashFiles: false }));
      const verdicts = verdictsOf([advisory], builder.finish());
      return verdicts.map((v) => `${v.status}/${v.reason}`).join();
    };
    assert.equal(await verdictOf([]), 'not_affected/functions_not_run');
    assert.equal(await verdictOf([tooLarge]), 'under_investigation/inventory_incomplete');

    // a second run that loaded the jar with no inventory (the agent's probes off): what ran there is unknown
    const unprobed = runDir({
      '200-jvm-0.jsonl': lines(
        processStart({ pid: 200, source: 'jvm', exe: '/usr/bin/java', argv: ['java', 'App'], runtime: { name: 'java', version: '17.0.13' } }),
        { kind: 'code_unit', t: 2000, unit: 'code_source', how: 'classload', path: jar, maven: [{ group: 'com.example', artifact: 'big', version: '1.0' }] },
        { kind: 'process_end', t: 5000, reason: 'exit', exit_code: 0 },
      ),
    });
    const builder = new ObservationBuilder();
    builder.add(await buildAppModel(jvm([]), { hashFiles: false }));
    builder.add(await buildAppModel(unprobed, { hashFiles: false }));
    assert.deepEqual(
      verdictsOf([advisory], builder.finish()).map((v) => `${v.status}/${v.reason}`),
      ['under_investigation/inventory_incomplete'],
    );

    // a process that died before its end record: what its buffers held never reached the run
    const died = new ObservationBuilder();
    const dir = jvm([]);
    const file = join(dir, '100-jvm-0.jsonl');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('"process_end"'))
        .join('\n'),
    );
    died.add(await buildAppModel(dir, { hashFiles: false }));
    assert.deepEqual(
      verdictsOf([advisory], died.finish()).map((v) => `${v.status}/${v.reason}`),
      ['under_investigation/records_lost'],
    );
  });

  it('runs that lost records back no not_affected: a lost record may have shown the code running', () => {
    const { advisory, affected } = lodashAdvisory(['lodash.template']);
    const never = verdictFor(advisory, affected, npmComponent('installed'), {}, 2);
    assert.deepEqual([never.status, never.reason, never.lost], ['under_investigation', 'records_lost', { wouldBe: 'never_loaded', records: 2 }]);
    assert.match(verdictDetail(never, { ...WINDOW, lostRecords: 2 }), /never loaded .* But the runs lost 2 records/);
    const ran = new Map([['npm:lodash.template', { api: 'npm:lodash.template', count: 1 }]]);
    assert.equal(verdictFor(advisory, affected, npmComponent('used', [fn('template', true)], ran), {}, 2).status, 'affected');
  });

  it('a component the runs never saw, or a version outside the ranges, gets no statement', () => {
    const { advisory } = lodashAdvisory(['lodash.template']);
    const fixedVersion = { ...npmComponent('used'), purl: 'pkg:npm/lodash@4.17.21', key: { type: 'npm', name: 'lodash', version: '4.17.21' } };
    const observation: Observation = {
      window: WINDOW,
      components: new Map([[fixedVersion.purl, fixedVersion]]),
      byPackage: new Map([['npm\0lodash', [fixedVersion.purl]]]),
    };
    assert.deepEqual(verdictsOf([advisory], observation), []);
    const other: Observation = { window: WINDOW, components: new Map(), byPackage: new Map() };
    assert.deepEqual(verdictsOf([advisory], other), []);
  });
});
