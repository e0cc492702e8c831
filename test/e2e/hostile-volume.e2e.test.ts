// An observed process writes its own event file: millions of valid records, all distinct, so
// that nothing aggregates. The analysis keeps what fits its allowances and says what it did not.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const GENERATOR = join(REPO_ROOT, 'bench', 'hostile-events.mjs');
/** a heap the analysis of such a run ran out of before it had allowances */
const SMALL_HEAP = '--max-old-space-size=128';

describe('a run of millions of distinct records (end to end)', () => {
  let cwd: string;
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('is analysed in a 128 MB heap, its outputs written, saying once per kind what was not kept', async function () {
    this.timeout(180_000);
    cwd = tempDir('hostile-volume');
    const generated = join(cwd, 'generated');
    // 750,000 each: stack records with records referring to them, first uses with a new stack
    // each, notices, own-activity paths and threads
    const gen = await runProgram(process.execPath, [GENERATOR, 'stacks,firststacks,notices,ownpaths', '3000000', generated]);
    assert.equal(gen.status, 0, gen.stderr);
    const [file] = readdirSync(generated);
    const dir = join(cwd, 'run');
    // the observed command plants the file in the run directory, as a process of the run could
    const run = await runProgram(
      process.execPath,
      [SMALL_HEAP, CLI, 'run', '--out', dir, '--', 'sh', '-c', 'mv "$0" "$APITRACE_DIR"/', join(generated, file!)],
      { cwd, env: cleanEnv() },
    );
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    assert.match(run.stderr, /records: 3,?000,?0\d\d /);
    for (const said of [
      /more than 100,000 stack records in one process: the rest were not kept, and what refers to them has no stack \(650,000 not kept\)/,
      /more than 10,000 distinct notices: .* \(740,00\d not kept\)/,
      /more than 1,000 own-activity paths: .* \(749,000 not kept\)/,
      /more than 100,000 own-activity threads: .* \(650,000 not kept\)/,
    ])
      assert.match(run.stderr, said);
    // a reference to a stack that was not kept is no problem of its own
    assert.doesNotMatch(run.stderr, /refers to stack/);
    for (const output of ['sbom.cdx.json', 'sbom.spdx.json', 'fingerprint.json', 'findings.json', 'report.html']) {
      assert.ok(readdirSync(dir).includes(output), `${output} written`);
    }
    assert.equal(JSON.parse(readFileSync(join(dir, 'sbom.cdx.json'), 'utf8')).bomFormat, 'CycloneDX');

    const sbom = await runProgram(process.execPath, [SMALL_HEAP, CLI, 'sbom', dir, '--format', 'spdx'], { cwd, env: cleanEnv() });
    assert.equal(sbom.status, 0, sbom.stderr.slice(-3000));
    assert.equal(JSON.parse(sbom.stdout).spdxVersion, 'SPDX-2.3');
  });
});
