import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { COLLECT_LIMITS } from '../../src/model/collect-limits.js';
import { hasPrecompiledCycloneDxValidator, validateCycloneDx, validateCycloneDxWithLibrary } from '../../src/sbom/cyclonedx/cyclonedx-validator.js';

// The CycloneDX schema asks for unique items in 44 arrays of objects (components, dependencies,
// properties...). ajv compares such arrays pairwise; the build-time validator checks them in one
// pass instead (scripts/generate-from-schema.mjs) and must decide and word it exactly as ajv does.

const GENERATED = new URL('../../../generated/', import.meta.url);

function bom(components: object[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    components,
  });
}

const component = (i: number): Record<string, unknown> => ({
  type: 'library',
  'bom-ref': `ref-${i}`,
  name: `lib-${i}`,
  version: `1.${i}.0`,
  properties: [
    { name: 'apitrace:usage', value: i % 2 ? 'used' : 'loaded' },
    { name: 'apitrace:index', value: String(i) },
  ],
});

/** The same component with its keys in another order: equal items for uniqueItems. */
const reordered = (c: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(c).reverse());

describe('CycloneDX uniqueItems', () => {
  before(function () {
    if (!hasPrecompiledCycloneDxValidator()) this.skip();
  });

  it('has no pairwise loop left in the generated validator for arrays of objects', () => {
    const code = readFileSync(fileURLToPath(new URL('cyclonedx-validator.cjs', GENERATED)), 'utf8');
    // ajv's pairwise loop: for(;i--;){for(j = i; j--;){if(equal(data[i], data[j]))...
    assert.doesNotMatch(code, /for\(j\d* = i\d*; j\d*--;\)/);
    assert.equal(code.match(/must NOT have duplicate items/g)?.length, 46);
  });

  it("finds the same duplicate pair, with the same words, as the library's validator", async () => {
    const components = Array.from({ length: 40 }, (_, i) => component(i));
    const nested = (inner: object[]): object[] => [{ ...components[0]!, components: inner }];
    const cases: [string, object[], boolean][] = [
      ['unique', components, true],
      ['last equals first', [...components, reordered(components[0]!)], false],
      ['several duplicates', [...components.slice(0, 10), components[3]!, components[7]!, components[3]!, ...components.slice(10)], false],
      ['duplicate nested components', nested([components[1]!, components[2]!, reordered(components[1]!)]), false],
      ['nested components that differ in one value', nested([components[1]!, { ...components[1]!, version: '1.1.1' }]), true],
    ];
    for (const [name, list, valid] of cases) {
      const text = bom(list);
      const verdict = await validateCycloneDx(text);
      assert.equal(verdict, await validateCycloneDxWithLibrary(text), name);
      assert.equal(verdict === undefined, valid, `${name}: ${verdict}`);
    }
  });

  it('validates the components an analysis allows in one pass, and still finds a duplicate at the end', async function () {
    const n = COLLECT_LIMITS.components.entries;
    const components = Array.from({ length: n }, (_, i) => component(i));
    const started = process.hrtime.bigint();
    assert.equal(await validateCycloneDx(bom(components)), undefined);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // measured, not asserted: the pairwise loop needed about n²/2 = 1.25e9 comparisons here
    this.test!.title += ` (${n.toLocaleString('en-US')} components in ${Math.round(ms)} ms)`;
    components.push(reordered(components[1234]!));
    assert.match(
      (await validateCycloneDx(bom(components)))!,
      new RegExp(`/components must NOT have duplicate items \\(items ## 1234 and ${n} are identical\\)`),
    );
  });

  it("calls the runtime the generator wrote, with ajv's equality on parsed JSON", () => {
    const { duplicatePair } = createRequire(import.meta.url)(fileURLToPath(new URL('unique-items.cjs', GENERATED))) as {
      duplicatePair: (items: unknown[]) => [number, number] | undefined;
    };
    assert.equal(duplicatePair([1, '1', [1], { a: 1 }, { a: [1] }, null, true]), undefined);
    assert.deepEqual(duplicatePair([{ a: 1, b: { c: [1, 2] } }, 2, { b: { c: [1, 2] }, a: 1 }]), [2, 0]);
    assert.equal(duplicatePair([{ a: [1, 2] }, { a: [2, 1] }]), undefined);
    assert.deepEqual(duplicatePair([0, 1, -0]), [2, 0]);
    assert.deepEqual(duplicatePair(['x', 'y', 'x', 'y']), [3, 1]);
  });
});
