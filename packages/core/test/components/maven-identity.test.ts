import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentCatalog } from '../../src/components/component-catalog.js';
import { identityFromManifest } from '../../src/components/jar-manifest.js';
import { moduleOfClassDirectory } from '../../src/components/maven-module.js';
import { artifactFromRepositoryPath, parseRepositoryPath } from '../../src/components/maven-repository-layout.js';
import { interpolate, MAX_POM_BYTES, parsePom, PomError, readPom } from '../../src/components/pom-xml.js';

const madeDirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
};
after(() => madeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const write = (path: string, text: string | Buffer): string => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

const pom = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
${body}
</project>
`;

describe('maven identity: repository layout', () => {
  it('reads artifact, version and classifier from a path whose directories agree with its file name', () => {
    assert.deepEqual(parseRepositoryPath('/root/.m2/repository/junit/junit/4.13.2/junit-4.13.2.jar'), {
      above: ['root', '.m2', 'repository', 'junit'],
      artifact: 'junit',
      baseVersion: '4.13.2',
      version: '4.13.2',
      extension: 'jar',
    });
    assert.equal(parseRepositoryPath('/r/org/ow2/asm/asm/9.8/asm-9.8-sources.jar')?.classifier, 'sources');
    const snapshot = parseRepositoryPath('/r/com/example/lib/1.0-SNAPSHOT/lib-1.0-20250102.030405-6.jar');
    assert.equal(snapshot?.version, '1.0-20250102.030405-6');
    assert.equal(snapshot?.baseVersion, '1.0-SNAPSHOT');
    assert.equal(parseRepositoryPath('/r/com/example/lib/1.0-SNAPSHOT/lib-1.0-SNAPSHOT-tests.jar')?.classifier, 'tests');
  });

  it('refuses paths whose names disagree, placeholders, nested jars and non-archives', () => {
    for (const path of [
      '/r/junit/junit/4.13.2/junit-4.13.1.jar', // version directory and file name differ
      '/r/junit/junit/4.13.2/hamcrest-4.13.2.jar', // artifact directory and file name differ
      '/r/junit/junit/4.13.2/junit-4.13.2.1.jar',
      '/r/junit/junit/4.13.2/junit-4.13.2-.jar',
      '/usr/share/maven-repo/junit/junit/debian/junit-debian.jar', // Debian's placeholder version
      '/app.jar!/BOOT-INF/lib/junit/junit/4.13.2/junit-4.13.2.jar',
      '/r/junit/junit/4.13.2/junit-4.13.2.pom',
      'junit/junit/4.13.2/junit-4.13.2.jar',
      '/junit/4.13.2/junit-4.13.2.jar',
    ])
      assert.equal(parseRepositoryPath(path), undefined, path);
  });

  it('takes the group from the .pom beside the jar, under any repository root', () => {
    const repo = join(tempDir('apitrace-repo-'), 'custom repo');
    const dir = join(repo, 'org/ow2/asm/asm/9.8');
    write(join(dir, 'asm-9.8.pom'), pom('<groupId>org.ow2.asm</groupId><artifactId>asm</artifactId><version>9.8</version>'));
    const jar = write(join(dir, 'asm-9.8.jar'), 'PK');
    assert.deepEqual(artifactFromRepositoryPath(jar), { group: 'org.ow2.asm', artifact: 'asm', version: '9.8' });
    // groupId and version inherited from the parent, as most poms in a repository do
    const antDir = join(repo, 'org/apache/ant/ant/1.10.15');
    write(
      join(antDir, 'ant-1.10.15.pom'),
      pom('<parent><groupId>org.apache.ant</groupId><artifactId>ant-parent</artifactId><version>1.10.15</version></parent><artifactId>ant</artifactId>'),
    );
    assert.deepEqual(artifactFromRepositoryPath(write(join(antDir, 'ant-1.10.15.jar'), 'PK')), {
      group: 'org.apache.ant',
      artifact: 'ant',
      version: '1.10.15',
    });
  });

  it('claims nothing when the .pom beside names another group, artifact or version, or there is none outside a known root', () => {
    const repo = tempDir('apitrace-repo-');
    const jarWithPom = (rel: string, body: string): string => {
      const jar = join(repo, rel);
      write(jar.replace(/\.jar$/, '.pom'), pom(body));
      return write(jar, 'PK');
    };
    assert.equal(
      artifactFromRepositoryPath(jarWithPom('a/x/lib/1.0/lib-1.0.jar', '<groupId>b.x</groupId><artifactId>lib</artifactId><version>1.0</version>')),
      undefined,
    );
    assert.equal(
      artifactFromRepositoryPath(jarWithPom('a/y/lib/1.0/lib-1.0.jar', '<groupId>a.y</groupId><artifactId>other</artifactId><version>1.0</version>')),
      undefined,
    );
    assert.equal(
      artifactFromRepositoryPath(jarWithPom('a/z/lib/1.0/lib-1.0.jar', '<groupId>a.z</groupId><artifactId>lib</artifactId><version>2.0</version>')),
      undefined,
    );
    assert.equal(artifactFromRepositoryPath(write(join(repo, 'a/w/lib/1.0/lib-1.0.jar'), 'PK')), undefined);
    // Maven's default root needs no pom to say where the group starts
    const m2 = write(join(repo, 'home/.m2/repository/com/example/lib/1.0/lib-1.0.jar'), 'PK');
    assert.deepEqual(artifactFromRepositoryPath(m2), { group: 'com.example', artifact: 'lib', version: '1.0' });
  });
});

describe('maven identity: pom.xml reader', () => {
  it('reads the coordinates, the parent and the properties, nothing nested deeper', () => {
    const declared = parsePom(
      pom(`
      <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>2.1</version><relativePath>../p</relativePath></parent>
      <artifactId>mod</artifactId>
      <properties><revision>3.0</revision><empty/></properties>
      <dependencies><dependency><groupId>evil</groupId><artifactId>x</artifactId><version>9</version></dependency></dependencies>
      <build><plugins><plugin><version>1</version></plugin></plugins></build>`),
    );
    assert.equal(declared.groupId, undefined);
    assert.equal(declared.artifactId, 'mod');
    assert.equal(declared.version, undefined);
    assert.deepEqual(declared.parent, { groupId: 'org.example', artifactId: 'parent', version: '2.1', relativePath: '../p' });
    assert.deepEqual(
      [...declared.properties],
      [
        ['revision', '3.0'],
        ['empty', ''],
      ],
    );
  });

  it('refuses a DOCTYPE and never expands an entity', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<project><groupId>&c;</groupId><artifactId>x</artifactId></project>`;
    assert.throws(() => parsePom(laughs), PomError);
    const external = `<?xml version="1.0"?><!DOCTYPE project [<!ENTITY x SYSTEM "file:///etc/passwd">]><project><groupId>&x;</groupId></project>`;
    assert.throws(() => parsePom(external), PomError);
    // without a DOCTYPE an entity is undefined: the value holding it is dropped, never taken literally;
    // one in a part that is not read (an HTML entity in a developer's name, as in plexus 1.0.4) is no error
    assert.equal(parsePom('<project><groupId>&x;</groupId><artifactId>a</artifactId></project>').groupId, undefined);
    assert.equal(
      parsePom('<project><groupId>g</groupId><developers><developer><name>Trygve Laugst&oslash;l</name></developer></developers></project>').groupId,
      'g',
    );
    assert.equal(parsePom('<project><groupId>a&amp;b</groupId></project>').groupId, 'a&b');
    assert.throws(() => parsePom('<project><groupId>x</project>'), PomError);
    assert.throws(() => parsePom('<settings><groupId>x</groupId></settings>'), PomError);
  });

  it('drops an overlong value and bounds ${...} substitution', () => {
    assert.equal(parsePom(pom(`<groupId>${'g'.repeat(5000)}</groupId><artifactId>a</artifactId>`)).groupId, undefined);
    const props = new Map([
      ['a', '${b}${b}${b}${b}'],
      ['b', '${c}${c}${c}${c}'],
      ['c', '${d}${d}${d}${d}'],
      ['d', 'xxxxxxxxxx'],
      ['self', '${self}'],
    ]);
    assert.equal(
      interpolate('${a}', (n) => props.get(n)),
      undefined,
      'grows past the bound',
    );
    assert.equal(
      interpolate('${self}', (n) => props.get(n)),
      undefined,
      'never resolves',
    );
    assert.equal(
      interpolate('${missing}', (n) => props.get(n)),
      undefined,
    );
    assert.equal(
      interpolate('v${d}', (n) => props.get(n)),
      'vxxxxxxxxxx',
    );
  });

  it('reads only a regular file of bounded size, no symbolic link', () => {
    const dir = tempDir('apitrace-pom-');
    const real = write(join(dir, 'real/pom.xml'), pom('<groupId>g</groupId><artifactId>a</artifactId><version>1</version>'));
    assert.equal(readPom(real).artifactId, 'a');
    symlinkSync(real, join(dir, 'pom.xml'));
    assert.throws(() => readPom(join(dir, 'pom.xml')), /symbolic link/);
    const huge = write(join(dir, 'huge/pom.xml'), pom(`<!-- ${'x'.repeat(MAX_POM_BYTES)} -->`));
    assert.throws(() => readPom(huge), /more than/);
  });
});

describe('maven identity: class directories by their module pom.xml', () => {
  it('inherits groupId and version from the parent and resolves ${...} from the parents on disk', () => {
    const root = tempDir('apitrace-module-');
    write(
      join(root, 'pom.xml'),
      pom('<groupId>org.example</groupId><artifactId>root</artifactId><version>${revision}</version><properties><revision>4.2.0</revision></properties>'),
    );
    write(
      join(root, 'svc/pom.xml'),
      pom('<parent><groupId>org.example</groupId><artifactId>root</artifactId><version>${revision}</version></parent><artifactId>svc</artifactId>'),
    );
    mkdirSync(join(root, 'svc/target/classes'), { recursive: true });
    assert.deepEqual(moduleOfClassDirectory(join(root, 'svc/target/classes')), {
      group: 'org.example',
      artifact: 'svc',
      version: '4.2.0',
      pom: join(root, 'svc/pom.xml'),
    });
    assert.equal(moduleOfClassDirectory(join(root, 'svc/target/test-classes'))?.artifact, 'svc');
  });

  it('leaves a version it cannot resolve out, and trusts no parent that is not the one named', () => {
    const root = tempDir('apitrace-module-');
    write(
      join(root, 'pom.xml'),
      pom('<groupId>org.other</groupId><artifactId>impostor</artifactId><version>1</version><properties><revision>6.6.6</revision></properties>'),
    );
    write(
      join(root, 'svc/pom.xml'),
      pom('<parent><groupId>org.example</groupId><artifactId>root</artifactId><version>${revision}</version></parent><artifactId>svc</artifactId>'),
    );
    assert.deepEqual(moduleOfClassDirectory(join(root, 'svc/target/classes')), { group: 'org.example', artifact: 'svc', pom: join(root, 'svc/pom.xml') });
  });

  it('stops at the nearest pom.xml, names nothing when it is a link or no pom, and looks no higher than the module', () => {
    const root = tempDir('apitrace-module-');
    write(join(root, 'pom.xml'), pom('<groupId>g</groupId><artifactId>outer</artifactId><version>1</version>'));
    symlinkSync(join(root, 'pom.xml'), join(write(join(root, 'linked/keep'), ''), '..', 'pom.xml'));
    assert.equal(moduleOfClassDirectory(join(root, 'linked/target/classes')), undefined);
    write(join(root, 'broken/pom.xml'), '<project><groupId>&x;</groupId></project>');
    assert.equal(moduleOfClassDirectory(join(root, 'broken/target/classes')), undefined);
    assert.equal(moduleOfClassDirectory(join(root, 'a/b/c/d/classes')), undefined);
  });
});

describe('maven identity: jar manifests', () => {
  it('claims Maven coordinates only when two attributes agree on the group and the file name carries the version', () => {
    // junit 4.13.2, as in its jar
    assert.deepEqual(
      identityFromManifest('junit-4.13.2.jar', { implementation_version: '4.13.2', implementation_vendor_id: 'junit', automatic_module_name: 'junit' }),
      { maven: true, group: 'junit', artifact: 'junit', version: '4.13.2' },
    );
    // jackson-databind: Bundle-SymbolicName is <groupId>.<artifactId>
    assert.deepEqual(
      identityFromManifest('jackson-databind-2.23.0.jar', {
        implementation_version: '2.23.0',
        implementation_vendor_id: 'com.fasterxml.jackson.core',
        bundle_symbolic_name: 'com.fasterxml.jackson.core.jackson-databind',
        bundle_version: '2.23.0',
      }),
      { maven: true, group: 'com.fasterxml.jackson.core', artifact: 'jackson-databind', version: '2.23.0' },
    );
  });

  it('keeps name and version but no group where the manifest does not prove one', () => {
    // asm 9.8: no vendor id; its symbolic name is no Maven group
    assert.deepEqual(identityFromManifest('asm-9.8.jar', { implementation_version: '9.8', bundle_symbolic_name: 'org.objectweb.asm', bundle_version: '9.8' }), {
      maven: false,
      name: 'asm',
      version: '9.8',
    });
    // commons-beanutils 1.9.4 (groupId commons-beanutils): Apache Commons writes org.apache as vendor id
    assert.deepEqual(
      identityFromManifest('commons-beanutils-1.9.4.jar', {
        implementation_version: '1.9.4',
        implementation_vendor_id: 'org.apache',
        bundle_symbolic_name: 'org.apache.commons.commons-beanutils',
        bundle_version: '1.9.4',
      }),
      { maven: false, name: 'commons-beanutils', version: '1.9.4' },
    );
    // a file name without the version names no artifact
    assert.deepEqual(
      identityFromManifest('junit.jar', { implementation_version: '4.13.2', implementation_vendor_id: 'junit', automatic_module_name: 'junit' }),
      { maven: false, name: 'junit', version: '4.13.2' },
    );
    // an OSGi-rewritten Bundle-Version that the file name does not carry is no version (guava 33.8.0-jre)
    assert.equal(identityFromManifest('guava-33.8.0-jre.jar', { bundle_symbolic_name: 'com.google.guava', bundle_version: '33.8.0.jre' }), undefined);
    // nor is a manifest version that a versioned file name contradicts (commons-beanutils 1.7.0 says 1.6)
    assert.equal(identityFromManifest('commons-beanutils-1.7.0.jar', { implementation_version: '1.6', implementation_vendor_id: 'org.apache' }), undefined);
    assert.equal(identityFromManifest('x-1.jar', { implementation_vendor_id: 'x' }), undefined);
    assert.equal(identityFromManifest('x-1.jar', { implementation_version: '1 beta/2' }), undefined);
  });

  it('orders the rules in the catalog: pom.properties, repository layout, manifest, file hash', () => {
    const dir = tempDir('apitrace-catalog-');
    const dpkgRoot = join(dir, 'no-dpkg');
    const catalog = new ComponentCatalog({ dpkgRoot, hashFiles: true });
    const unit = (path: string, extra: object = {}) =>
      catalog.addCodeUnit({ path, unit: 'code_source', loaded: true, loads: 1, files: new Set(['f']), ...extra })!;
    const inRepo = write(join(dir, '.m2/repository/junit/junit/4.13.2/junit-4.13.2.jar'), 'PK');
    const junitManifest = { implementation_version: '4.13.2', implementation_vendor_id: 'junit', automatic_module_name: 'junit' };
    assert.equal(unit(inRepo, { manifest: junitManifest }).identifiedBy, 'maven-repository-layout');
    const copied = write(join(dir, 'lib/junit-4.13.2.jar'), 'PK');
    const byManifest = unit(copied, { manifest: junitManifest });
    assert.equal(byManifest.purl, 'pkg:maven/junit/junit@4.13.2');
    assert.equal(byManifest.identifiedBy, 'maven-repository-layout', 'the same artifact is one component, named by its first identity');
    const asm = unit(write(join(dir, 'lib/asm-9.8.jar'), 'PK'), { manifest: { implementation_version: '9.8', bundle_symbolic_name: 'org.objectweb.asm' } });
    assert.match(asm.purl!, /^pkg:generic\/asm@9\.8\?checksum=sha256%3A[0-9a-f]{64}$/);
    assert.equal(asm.identifiedBy, 'manifest version (no groupId) + file hash');
    const withPom = unit(join(dir, 'lib/other.jar'), { maven: [{ group: 'g', artifact: 'other', version: '1' }], manifest: junitManifest });
    assert.equal(withPom.identifiedBy, 'pom.properties');
    const plain = unit(write(join(dir, 'lib/plain.jar'), 'PK'));
    assert.equal(plain.identifiedBy, 'file hash');
    const sources = join(dir, 'lib/junit-4.13.2-sources.jar');
    write(sources, 'PK');
    const copyCatalog = new ComponentCatalog({ dpkgRoot });
    const classified = copyCatalog.addCodeUnit({ path: sources, unit: 'code_source', loaded: true, loads: 1, files: new Set(), manifest: junitManifest })!;
    assert.equal(classified.purl, 'pkg:maven/junit/junit@4.13.2?classifier=sources');
    assert.equal(classified.identifiedBy, 'manifest');
  });
});
