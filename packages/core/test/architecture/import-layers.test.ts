// The import rules of .dependency-cruiser.mjs: no import circle in packages/core or
// packages/node-plugin, and no import in packages/core from a layer to one above it. They
// hold for the source as it is, and they catch a circle, an upward import and a new folder
// that has no layer yet.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const SOURCES = ['packages/core/src', 'packages/node-plugin/src'];

async function violations(baseDir: string): Promise<string[]> {
  const config = ((await import(pathToFileURL(join(REPO, '.dependency-cruiser.mjs')).href)) as { default: IConfiguration }).default;
  const { output } = await cruise(SOURCES, { ...config.options, ruleSet: config, validate: true, baseDir });
  const result = output as ICruiseResult;
  assert.ok(result.summary.totalCruised > 0, 'nothing was cruised');
  return result.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle?.map((c) => c.name) ?? [v.to])].join(' -> ')}`);
}

describe('import rules (.dependency-cruiser.mjs)', function () {
  this.timeout(120000);

  it('hold for packages/core/src and packages/node-plugin/src', async () => {
    assert.deepEqual(await violations(REPO), []);
  });

  it('catch a circle, an upward import and a module outside every layer', async () => {
    const root = mkdtempSync(join(tmpdir(), 'apitrace-layers-'));
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('packages/core/src/base/user-error.ts', 'export class UserError extends Error {}\n');
      write('packages/core/src/output/output-file.ts', "import { main } from '../cli/main.js';\nexport const write = main;\n");
      write('packages/core/src/cli/main.ts', "import { UserError } from '../base/user-error.js';\nexport const main = (): UserError => new UserError();\n");
      write('packages/core/src/newcomer/thing.ts', "import { UserError } from '../base/user-error.js';\nexport const thing = UserError;\n");
      write('packages/node-plugin/src/a.ts', "import type { B } from './b.js';\nexport type A = { b?: B };\n");
      write('packages/node-plugin/src/b.ts', "import type { A } from './a.js';\nexport type B = { a?: A };\n");
      const found = await violations(root);
      assert.ok(found.includes('core-layer-files: packages/core/src/output/output-file.ts -> packages/core/src/cli/main.ts'), found.join('\n'));
      assert.ok(found.includes('core-in-a-layer: packages/core/src/newcomer/thing.ts -> packages/core/src/base/user-error.ts'), found.join('\n'));
      assert.ok(
        found.some((v) => v.startsWith('no-circular: packages/node-plugin/src/a.ts -> packages/node-plugin/src/b.ts')),
        found.join('\n'),
      );
      assert.equal(found.length, 3, found.join('\n'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
