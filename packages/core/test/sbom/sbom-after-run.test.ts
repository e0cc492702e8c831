import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { writeSbomsAfterRun } from '../../src/cli/sbom-command.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

describe('writeSbomsAfterRun', () => {
  it('writes both SBOMs into the run directory', async () => {
    const dir = runDir({ '1-native-0.jsonl': lines(processStart({ pid: 1 })) });
    const warnings: string[] = [];
    await writeSbomsAfterRun(dir, (line) => warnings.push(line));
    assert.deepEqual(warnings, []);
    assert.deepEqual(readdirSync(dir).sort(), ['1-native-0.jsonl', 'sbom.cdx.json', 'sbom.spdx.json']);
  });

  it('turns any failure into one warning line and never throws (the command\'s status stays its own)', async () => {
    const warnings: string[] = [];
    await writeSbomsAfterRun('/nonexistent/run', (line) => warnings.push(line));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^apitrace: cannot write the SBOMs of \/nonexistent\/run: .*no such directory/);
  });
});
