import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { analyseRun } from '../../src/cli/after-run.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

describe('analyseRun (after apitrace run)', () => {
  it('writes the SBOMs, fingerprint, findings and report from one read, and returns the summary', async () => {
    const dir = runDir({ '1-native-0.jsonl': lines(processStart({ pid: 1 })) });
    const warnings: string[] = [];
    const summary = await analyseRun(dir, { sbom: true, warn: (line) => warnings.push(line) });
    assert.deepEqual(warnings, []);
    assert.deepEqual(readdirSync(dir).sort(), [
      '1-native-0.jsonl',
      'findings.json',
      'findings.sarif',
      'fingerprint.json',
      'report.html',
      'sbom.cdx.json',
      'sbom.spdx.json',
    ]);
    assert.match(summary, /^apitrace: run .*\n {2}processes: 1\n/);
  });

  it('leaves the SBOMs out when asked', async () => {
    const dir = runDir({ '1-native-0.jsonl': lines(processStart({ pid: 1 })) });
    await analyseRun(dir, { sbom: false, warn: () => {} });
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('sbom.')));
  });

  it("turns any failure into one warning line and never throws (the command's status stays its own)", async () => {
    const warnings: string[] = [];
    const summary = await analyseRun('/nonexistent/run', { sbom: true, warn: (line) => warnings.push(line) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^apitrace: cannot analyse \/nonexistent\/run: .*no such directory/);
    assert.match(summary, /^apitrace: cannot summarise \/nonexistent\/run: /);
  });
});
