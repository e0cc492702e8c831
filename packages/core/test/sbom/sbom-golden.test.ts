// Golden SBOMs: a small fixed run (test/fixtures/sbom-golden/run, with its own dpkg database
// so that no package of this machine shows) must give exactly the CycloneDX and SPDX
// documents in test/fixtures/sbom-golden/expected, once the fields that name the moment or
// the document instance are normalised. Any change to what the SBOMs say shows as a diff.
//
// After an intended change: UPDATE_GOLDEN=1 npm test -- packages/core/test/sbom/sbom-golden.test.ts
// rewrites the expected files; review and commit the diff.
import { strict as assert } from 'node:assert';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { validateCycloneDx } from '../../src/sbom/cyclonedx/cyclonedx-validator.js';
import { renderSbom } from '../../src/sbom/sbom-files.js';
import { validateSpdx } from '../../src/sbom/spdx/spdx-validator.js';

// compiled to dist/test/sbom: the fixtures stay in the source tree
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/sbom-golden/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** Fields that differ between two renderings of the same run by design: when, and which document. */
const NORMALISED: Record<string, string> = {
  serialNumber: 'urn:uuid:00000000-0000-0000-0000-000000000000',
  timestamp: '2000-01-01T00:00:00Z',
  documentNamespace: 'https://apitrace.dev/spdxdocs/golden',
  created: '2000-01-01T00:00:00Z',
  annotationDate: '2000-01-01T00:00:00Z',
};

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, key in NORMALISED && typeof v === 'string' ? NORMALISED[key] : normalise(v)]));
}

const golden = (text: string): string => `${JSON.stringify(normalise(JSON.parse(text)), null, 2)}\n`;

describe('SBOM golden files', () => {
  let runDir: string;
  before(() => {
    // a run directory as apitrace makes one: private, outside the source tree
    runDir = mkdtempSync(join(tmpdir(), 'apitrace-golden-run-'));
    cpSync(join(FIXTURE, 'run'), runDir, { recursive: true });
    chmodSync(runDir, 0o700);
  });
  after(() => rmSync(runDir, { recursive: true, force: true }));

  for (const [format, file, validate] of [
    ['cyclonedx', 'sbom.cdx.json', validateCycloneDx],
    ['spdx', 'sbom.spdx.json', validateSpdx],
  ] as const) {
    it(`${format}: the fixed run gives expected/${file}, and both validate`, async () => {
      const model = await buildAppModel(runDir, { dpkgRoot: join(FIXTURE, 'dpkg'), hashFiles: false });
      const text = await renderSbom(model, format);
      assert.equal(await validate(text), undefined);
      const expectedPath = join(FIXTURE, 'expected', file);
      if (UPDATE) writeFileSync(expectedPath, golden(text));
      const expected = readFileSync(expectedPath, 'utf8');
      assert.equal(await validate(expected), undefined, `expected/${file} itself must validate`);
      assert.equal(golden(text), expected, `differs from expected/${file}; after an intended change, regenerate with UPDATE_GOLDEN=1`);
    });
  }
});
