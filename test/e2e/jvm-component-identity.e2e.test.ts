// How apitrace names the JVM code a real build runs (docs/sbom.md, "Components and their
// identity"): `mvn test` of test/fixtures/java-identity under `apitrace run`, whose test uses
// junit 4.13.2, asm 9.8 and ant 1.10.15 (jars without pom.properties) from the local
// repository; then copies of those jars out of the repository, where only their manifests
// or their hashes can name them.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { validateCycloneDx } from '@apitrace/core';
import { CLI, FIXTURES } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface CdxComponent {
  name: string;
  purl?: string;
  properties?: { name: string; value: string }[];
  evidence?: { identity?: { methods: { value?: string }[] }[]; occurrences?: { location: string }[] };
}
interface Cdx {
  metadata: { component?: CdxComponent };
  components: CdxComponent[];
}

const property = (c: CdxComponent | undefined, name: string): string | undefined => c?.properties?.find((p) => p.name === `apitrace:${name}`)?.value;
const locations = (c: CdxComponent | undefined): string[] => c?.evidence?.occurrences?.map((o) => o.location) ?? [];
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function apitraceRun(dir: string, command: string[]): Promise<Cdx> {
  const r = await runProgram(process.execPath, [CLI, 'run', '--no-native', '--out', dir, '--', ...command], { env: cleanEnv() });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const text = readFileSync(join(dir, 'sbom.cdx.json'), 'utf8');
  assert.equal(await validateCycloneDx(text), undefined);
  return JSON.parse(text) as Cdx;
}

describe('component identity of JVM code (end to end)', function () {
  this.timeout(600_000);
  const fixture = join(FIXTURES, 'java-identity');
  const work = tempDir('jvm-identity');
  after(() => rmSync(work, { recursive: true, force: true }));
  let mvnTest: Cdx;
  const byPurl = (sbom: Cdx, purl: string): CdxComponent | undefined => [sbom.metadata.component, ...sbom.components].find((c) => c?.purl === purl);

  before(async () => {
    mvnTest = await apitraceRun(join(work, 'mvn-test'), ['mvn', '-B', '-q', '-ntp', '-f', join(fixture, 'pom.xml'), 'surefire:test']);
  });

  it('mvn test: jars without pom.properties are named by their path in the local repository', () => {
    for (const [group, artifact, version] of [
      ['junit', 'junit', '4.13.2'],
      ['org.ow2.asm', 'asm', '9.8'],
      ['org.apache.ant', 'ant', '1.10.15'],
    ] as const) {
      const purl = `pkg:maven/${group}/${artifact}@${version}`;
      const c = byPurl(mvnTest, purl);
      assert.ok(c, `${purl} in ${mvnTest.components.map((x) => x.purl).join(' ')}`);
      assert.equal(property(c, 'identified_by'), 'maven-repository-layout', purl);
      assert.equal(c.evidence?.identity?.[0]?.methods[0]?.value, 'maven-repository-layout');
      assert.equal(property(c, 'usage'), 'used', purl);
      assert.ok(locations(c)[0]?.endsWith(`/${group.replaceAll('.', '/')}/${artifact}/${version}/${artifact}-${version}.jar`), locations(c)[0]);
    }
    // every jar of the test JVM's repository has Maven coordinates, none only a hash
    const repository = locations(byPurl(mvnTest, 'pkg:maven/junit/junit@4.13.2'))[0]!.replace(/\/junit\/junit\/4\.13\.2\/junit-4\.13\.2\.jar$/, '/');
    const inRepository = mvnTest.components.filter((c) => locations(c).some((l) => l.startsWith(repository)));
    assert.ok(inRepository.length >= 10, `${inRepository.length} components from ${repository}`);
    assert.deepEqual(
      inRepository.filter((c) => !c.purl?.startsWith('pkg:maven/')).map((c) => c.purl),
      [],
    );
  });

  it("mvn test: the module's target/classes and target/test-classes are the application, named by its pom.xml with the parent's groupId and version", () => {
    const app = byPurl(mvnTest, 'pkg:maven/dev.apitrace/java-identity@0.1.0');
    assert.ok(app, JSON.stringify(mvnTest.metadata.component));
    assert.equal(property(app, 'kind'), 'application');
    assert.equal(property(app, 'identified_by'), 'pom.xml');
    assert.deepEqual(locations(app).sort(), [join(fixture, 'target/classes'), join(fixture, 'target/test-classes')]);
    assert.equal(mvnTest.metadata.component?.purl, 'pkg:maven/dev.apitrace/java-identity@0.1.0');
  });

  it('jars copied out of the repository: junit by its manifest, asm by name and version without a group, ant by its hash', async () => {
    const lib = join(work, 'lib');
    mkdirSync(lib);
    const recorded = mvnTest.components.flatMap(locations);
    for (const suffix of ['/junit/junit/4.13.2/junit-4.13.2.jar', '/org/ow2/asm/asm/9.8/asm-9.8.jar', '/org/apache/ant/ant/1.10.15/ant-1.10.15.jar']) {
      const jar = recorded.find((l) => l.endsWith(suffix));
      assert.ok(jar, `the mvn test run loaded ${suffix}`);
      copyFileSync(jar, join(lib, basename(jar)));
    }
    const sbom = await apitraceRun(join(work, 'lib-run'), [
      'java',
      '-cp',
      `${join(fixture, 'target/classes')}:${lib}/*`,
      'dev.apitrace.fixture.identity.LoadEach',
      'org.junit.Assert',
      'org.objectweb.asm.ClassReader',
      'org.apache.tools.ant.BuildException',
    ]);
    const named = (file: string): CdxComponent | undefined => sbom.components.find((c) => locations(c).includes(join(lib, file)));

    const junit = named('junit-4.13.2.jar');
    assert.equal(junit?.purl, 'pkg:maven/junit/junit@4.13.2');
    assert.equal(property(junit, 'identified_by'), 'manifest');
    // asm's manifest names no groupId (Bundle-SymbolicName org.objectweb.asm is none): no Maven purl is claimed
    const asm = named('asm-9.8.jar');
    assert.equal(asm?.purl, `pkg:generic/asm@9.8?checksum=sha256%3A${sha256(join(lib, 'asm-9.8.jar'))}`);
    assert.equal(property(asm, 'identified_by'), 'manifest version (no groupId) + file hash');
    // ant's versions are in a per-package manifest section only: the hash is all there is
    const ant = named('ant-1.10.15.jar');
    assert.equal(ant?.purl, `pkg:generic/ant-1.10.15?checksum=sha256%3A${sha256(join(lib, 'ant-1.10.15.jar'))}`);
    assert.equal(property(ant, 'identified_by'), 'file hash');
  });
});
