import { strict as assert } from 'node:assert';
import { buildAppModel } from '../../src/model/build-app-model.js';
import { cyclonedxJson } from '../../src/sbom/cyclonedx/cyclonedx-bom.js';
import { hasPrecompiledCycloneDxValidator, validateCycloneDx, validateCycloneDxWithLibrary } from '../../src/sbom/cyclonedx/cyclonedx-validator.js';
import { InvalidSbomError, renderSbom } from '../../src/sbom/sbom-files.js';
import { spdxJson } from '../../src/sbom/spdx/spdx-document.js';
import { validateSpdx } from '../../src/sbom/spdx/spdx-validator.js';
import { lines, processStart, runDirsRemovedAfterTests } from '../support/run-dirs.js';

// every run directory this file makes is removed after its tests
const runDir = runDirsRemovedAfterTests();

const LIBZ = '/usr/lib/x86_64-linux-gnu/libz.so.1';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

function sampleRun(): string {
  return runDir({
    '30-node-0.jsonl': lines(
      processStart({ pid: 30, source: 'node', exe: '/usr/bin/node', argv: ['node', 'app.js'], runtime: { name: 'node', version: '20.20.2' } }),
      { kind: 'stack', id: 1, frames: [{ lang: 'js', fn: 'main', file: '/srv/app/app.js', line: 2, col: 1, unit: '/srv/app' }] },
      {
        kind: 'call',
        api: 'node:fs.readFileSync',
        category: 'file',
        tid: 30,
        t0: 2000,
        t1: 3000,
        stack: 1,
        caller: '/srv/app',
        args: { path: '/etc/hostname' },
      },
      {
        kind: 'web_api',
        direction: 'served',
        method: 'GET',
        scheme: 'http',
        host: '0.0.0.0:3000',
        route: '/users/:id',
        status: 200,
        count: 3,
        first_t: 5000,
        last_t: 6000,
      },
      {
        kind: 'web_api',
        direction: 'called',
        method: 'POST',
        scheme: 'https',
        host: 'api.example.com:443',
        route: '/v1/orders',
        status: 201,
        count: 1,
        first_t: 5500,
        last_t: 5500,
      },
    ),
    '30-native-0.jsonl': lines(
      processStart({ pid: 30, exe: '/usr/bin/node', argv: ['node', 'app.js'] }),
      { kind: 'code_unit', t: 1001, unit: 'shared_object', how: 'startup', path: LIBC, soname: 'libc.so.6' },
      { kind: 'code_unit', t: 1002, unit: 'shared_object', how: 'startup', path: LIBZ, soname: 'libz.so.1', needed: ['libc.so.6'] },
      { kind: 'call', api: 'libc:openat', category: 'file', tid: 30, t0: 2500, t1: 2600, caller: '/usr/bin/node', args: { path: '/etc/hostname' } },
    ),
  });
}

describe('SBOM documents', () => {
  it('writes CycloneDX 1.6 that validates, with usage properties, identity evidence, the first-use callstack and services', async () => {
    const model = await buildAppModel(sampleRun());
    const text = await renderSbom(model, 'cyclonedx');
    assert.equal(await validateCycloneDx(text), undefined);
    const bom = JSON.parse(text);
    assert.equal(bom.specVersion, '1.6');
    assert.deepEqual(bom.metadata.lifecycles, [{ phase: 'operations' }]);
    const zlib = bom.components.find((c: { name: string }) => c.name === 'zlib1g');
    assert.equal(zlib.properties.find((p: { name: string }) => p.name === 'apitrace:usage').value, 'loaded');
    assert.equal(zlib.evidence.identity[0].methods[0].technique, 'instrumentation');
    assert.deepEqual(zlib.evidence.occurrences, [{ location: LIBZ }]);
    const node = bom.components.find((c: { name: string }) => c.name === 'nodejs');
    assert.equal(node.properties.find((p: { name: string }) => p.name === 'apitrace:usage').value, 'used');
    // the libc call joined under the JS span: libc's first use shows the JS frames beneath
    const libc = bom.components.find((c: { name: string }) => c.name === 'libc6');
    assert.deepEqual(
      libc.evidence.callstack.frames.map((f: { function: string }) => f.function),
      ['openat', '?', 'fs.readFileSync', 'main'],
    );
    assert.deepEqual(
      bom.services.map((s: { name: string; endpoints: string[] }) => [s.name, s.endpoints]),
      [
        ['api.example.com:443', ['https://api.example.com:443/v1/orders']],
        ['0.0.0.0:3000', ['http://0.0.0.0:3000/users/:id']],
      ],
    );
  });

  it('writes SPDX 2.3 that validates, with purls, DYNAMIC_LINK and the usage state', async () => {
    const model = await buildAppModel(sampleRun());
    const text = await renderSbom(model, 'spdx');
    assert.equal(validateSpdx(text), undefined);
    const doc = JSON.parse(text);
    const zlib = doc.packages.find((p: { name: string }) => p.name === 'zlib1g');
    assert.match(zlib.externalRefs[0].referenceLocator, /^pkg:deb\/debian\/zlib1g@/);
    assert.match(zlib.annotations[0].comment, /^apitrace:usage=loaded$/m);
    const libc = doc.packages.find((p: { name: string }) => p.name === 'libc6');
    assert.ok(
      doc.relationships.some(
        (r: Record<string, string>) =>
          r['spdxElementId'] === zlib.SPDXID && r['relationshipType'] === 'DYNAMIC_LINK' && r['relatedSpdxElement'] === libc.SPDXID,
      ),
    );
    assert.equal(doc.relationships[0].relationshipType, 'DESCRIBES');
  });

  it('is byte-identical for the same run, in both formats', async () => {
    const dir = sampleRun();
    const [a, b] = [await buildAppModel(dir), await buildAppModel(dir)];
    assert.equal(cyclonedxJson(a), cyclonedxJson(b));
    assert.equal(spdxJson(a), spdxJson(b));
  });

  it('rejects broken documents in both formats', async () => {
    const model = await buildAppModel(sampleRun());
    const bom = JSON.parse(cyclonedxJson(model));
    bom.components[0].type = 'gadget';
    assert.match((await validateCycloneDx(JSON.stringify(bom)))!, /type/);
    const bom2 = JSON.parse(cyclonedxJson(model));
    delete bom2.components[0].name;
    assert.notEqual(await validateCycloneDx(JSON.stringify(bom2)), undefined);

    const doc = JSON.parse(spdxJson(model));
    delete doc.packages[0].downloadLocation;
    assert.match(validateSpdx(JSON.stringify(doc))!, /downloadLocation/);
    const doc2 = JSON.parse(spdxJson(model));
    doc2.relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'SPDXRef-nowhere' });
    assert.match(validateSpdx(JSON.stringify(doc2))!, /SPDXRef-nowhere/);
    const doc3 = JSON.parse(spdxJson(model));
    doc3.packages[0].SPDXID = 'SPDXRef-has space';
    assert.notEqual(validateSpdx(JSON.stringify(doc3)), undefined);
    assert.ok(new InvalidSbomError('x') instanceof Error);
  });

  it("validates CycloneDX at build-time compiled speed with the same verdicts as the library's run-time validator", async () => {
    assert.ok(hasPrecompiledCycloneDxValidator(), 'npm run build compiles the CycloneDX schema into packages/core/generated');
    const model = await buildAppModel(sampleRun());
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each breakage reaches into the document freely
    const breakages: ((bom: Record<string, any>) => void)[] = [
      () => {},
      (bom) => {
        bom.components[0].type = 'gadget';
      },
      (bom) => {
        delete bom.components[0].name;
      },
      (bom) => {
        bom.components[0].unknownField = 1;
      },
      (bom) => {
        bom.metadata.timestamp = 'yesterday';
      },
      (bom) => {
        bom.serialNumber = 'urn:uuid:not-a-uuid';
      },
      (bom) => {
        bom.components[0].evidence.identity[0].methods[0].technique = 'guessing';
      },
      (bom) => {
        bom.services[0].endpoints = 'http://x';
      },
    ];
    for (const [i, breakIt] of breakages.entries()) {
      const bom = JSON.parse(cyclonedxJson(model));
      breakIt(bom);
      const text = JSON.stringify(bom);
      const verdict = await validateCycloneDx(text);
      assert.equal(verdict, await validateCycloneDxWithLibrary(text), `variant ${i}`);
      assert.equal(verdict === undefined, i === 0, `variant ${i}: ${verdict}`);
    }
  });
});
