// How apitrace names the npm packages of a workspace project (docs/sbom.md, "Components and
// their identity"): npm links workspace packages and `file:` directories into node_modules,
// and they are the application's own code, loaded or not; a `file:` tarball is unpacked
// there like a registry package and is a dependency.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface CdxComponent {
  name: string;
  purl?: string;
  properties?: { name: string; value: string }[];
}
interface Cdx {
  metadata: { component?: CdxComponent };
  components: CdxComponent[];
}

const property = (c: CdxComponent | undefined, name: string): string | undefined => c?.properties?.find((p) => p.name === `apitrace:${name}`)?.value;

function writePackage(dir: string, json: object, main = 'module.exports = 1;\n'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'index.js'), main);
}

describe('component identity of npm workspaces and local packages (end to end)', function () {
  this.timeout(120_000);
  const work = tempDir('npm-identity');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('workspace packages and file: directories are the application, loaded or not; a file: tarball is a dependency', async () => {
    const root = join(work, 'repo');
    writePackage(root, { name: 'ws-root', version: '1.0.0', private: true, workspaces: ['packages/*', 'app'] });
    writePackage(join(root, 'packages/lib-a'), { name: '@ws/lib-a', version: '2.1.0' }, 'module.exports = () => 2;\n');
    writePackage(join(root, 'packages/lib-unused'), { name: '@ws/lib-unused', version: '0.3.0' });
    writePackage(join(root, 'local-dep'), { name: 'local-dep', version: '5.0.0' }, 'module.exports = () => 5;\n');
    writePackage(join(root, 'packed-dep'), { name: 'packed-dep', version: '1.2.3' }, 'module.exports = () => 1;\n');
    const pack = await runProgram('npm', ['pack', '--silent', '--pack-destination', root], { cwd: join(root, 'packed-dep'), env: cleanEnv() });
    assert.equal(pack.status, 0, pack.stderr);
    writePackage(
      join(root, 'app'),
      {
        name: 'ws-app',
        version: '0.9.0',
        dependencies: { '@ws/lib-a': '*', '@ws/lib-unused': '*', 'local-dep': 'file:../local-dep', 'packed-dep': 'file:../packed-dep-1.2.3.tgz' },
      },
      'console.log(require("@ws/lib-a")() + require("local-dep")() + require("packed-dep")());\n',
    );
    const install = await runProgram('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: root, env: cleanEnv() });
    assert.equal(install.status, 0, install.stderr);

    const dir = join(work, 'run');
    const r = await runProgram(process.execPath, [CLI, 'run', '--no-native', '--out', dir, '--', 'node', join(root, 'app/index.js')], { env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^8$/m);
    const sbom = JSON.parse(readFileSync(join(dir, 'sbom.cdx.json'), 'utf8')) as Cdx;
    const all = [sbom.metadata.component, ...sbom.components];
    const facts = (purl: string): string[] => {
      const c = all.find((x) => x?.purl === purl);
      return [property(c, 'kind'), property(c, 'usage'), property(c, 'identified_by')].map(String);
    };
    assert.deepEqual(facts('pkg:npm/ws-app@0.9.0'), ['application', 'used', 'package.json']);
    assert.deepEqual(facts('pkg:npm/%40ws/lib-a@2.1.0'), ['application', 'used', 'package.json']);
    assert.deepEqual(facts('pkg:npm/%40ws/lib-unused@0.3.0'), ['application', 'installed', 'package.json']);
    assert.deepEqual(facts('pkg:npm/local-dep@5.0.0'), ['application', 'used', 'package.json']);
    assert.deepEqual(facts('pkg:npm/packed-dep@1.2.3'), ['npm', 'used', 'package.json']);
  });
});
