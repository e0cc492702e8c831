// The invariance corpus: 39 popular npm packages (ES modules and CommonJS), each loaded by an
// ES module application and by a CommonJS one, bare and under the Node plugin. Per package the
// sorted export names (with each function's kind, name and length) and the result of a small
// deterministic use must be identical; the plugin must also have recorded the run.
import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checkEvent } from '@apitrace/core';
import { NODE_PLUGIN, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const CORPUS = join(REPO_ROOT, 'packages/node-plugin/test/fixtures/corpus');

type Results = Record<string, { exports?: unknown; use?: unknown; error?: string }>;

interface Recorded {
  kinds: Map<string, number>;
  records: Record<string, unknown>[];
}

function readRecords(dir: string): Recorded {
  const kinds = new Map<string, number>();
  const records: Record<string, unknown>[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      const checked = checkEvent(record);
      assert.ok(checked.ok, `${file}: ${checked.ok ? '' : checked.error}: ${line.slice(0, 300)}`);
      kinds.set(String(record['kind']), (kinds.get(String(record['kind'])) ?? 0) + 1);
      records.push(record);
    }
  }
  return { kinds, records };
}

const packages = (createRequire(import.meta.url)(join(CORPUS, 'uses.cjs')) as { name: string }[]).map((u) => u.name);

describe('node plugin invariance corpus (end to end)', function () {
  this.timeout(600_000);
  const work = tempDir('node-corpus');
  const cache = join(work, 'cache');
  const runs: Record<string, { bare: Results; traced: Results; recorded: Recorded; stderr: string; bareStderr: string }> = {};

  before(async () => {
    for (const entry of ['corpus.mjs', 'corpus.cjs']) {
      const dir = join(work, entry);
      mkdirSync(dir);
      const bare = await runProgram('node', [entry], { cwd: CORPUS, env: cleanEnv() });
      assert.equal(bare.status, 0, bare.stderr);
      const traced = await runProgram('node', ['--import', NODE_PLUGIN, entry], {
        cwd: CORPUS,
        env: cleanEnv({ APITRACE_DIR: dir, APITRACE_CACHE_DIR: cache }),
      });
      assert.equal(traced.status, 0, traced.stderr);
      runs[entry] = {
        bare: JSON.parse(bare.stdout) as Results,
        traced: JSON.parse(traced.stdout) as Results,
        recorded: readRecords(dir),
        stderr: traced.stderr,
        bareStderr: bare.stderr,
      };
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('covers at least 30 packages, date-fns@4, lodash, lodash-es, express, zod, chalk, yargs, rxjs, uuid, dayjs and axios among them', () => {
    assert.ok(packages.length >= 30, `${packages.length} packages`);
    for (const name of ['date-fns', 'lodash', 'lodash-es', 'express', 'zod', 'chalk', 'yargs', 'rxjs', 'uuid', 'dayjs', 'axios'])
      assert.ok(packages.includes(name), name);
  });

  for (const entry of ['corpus.mjs', 'corpus.cjs']) {
    describe(entry === 'corpus.mjs' ? 'loaded by an ES module application' : 'loaded by a CommonJS application', () => {
      for (const name of packages) {
        it(`${name}: same exports and same results`, () => {
          const { bare, traced } = runs[entry]!;
          assert.ok(bare[name], `${name} missing from the bare run`);
          assert.equal(bare[name]!.error, undefined, `${name} fails even without the plugin: ${bare[name]!.error}`);
          assert.deepEqual(traced[name], bare[name]);
        });
      }

      it('prints nothing more on stderr', () => {
        assert.equal(runs[entry]!.stderr, runs[entry]!.bareStderr);
      });

      it('records modules, function inventories and package API usage, all valid', () => {
        const { kinds, records } = runs[entry]!.recorded;
        assert.ok((kinds.get('code_unit') ?? 0) > 100, JSON.stringify([...kinds]));
        assert.ok((kinds.get('function_inventory') ?? 0) > 100, JSON.stringify([...kinds]));
        const apis = new Set(records.filter((r) => r['kind'] === 'api_usage').map((r) => String(r['api'])));
        for (const api of ['npm:semver.satisfies', 'npm:ms', 'npm:classnames'])
          assert.ok(apis.has(api), `${api} not in ${[...apis].filter((a) => a.startsWith('npm:')).join(' ')}`);
        const lodash = records.find(
          (r) => r['kind'] === 'function_inventory' && String(r['unit']).endsWith('/node_modules/lodash') && r['scope'] === 'lodash.js',
        );
        assert.ok(lodash, 'lodash.js has an inventory');
        const functions = lodash['functions'] as { name: string; ran: boolean }[];
        assert.ok(functions.some((f) => f.name === 'chunk' && f.ran));
        assert.ok(
          functions.some((f) => !f.ran),
          'functions that never ran are listed too',
        );
      });

      it('keeps date-fns@4 longFormatters', () => {
        const use = runs[entry]!.traced['date-fns']!.use as { longFormatters: string };
        assert.equal(use.longFormatters, 'object');
      });
    });
  }
});
