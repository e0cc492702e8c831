import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DpkgDatabase, pathSpellings } from '../../src/components/dpkg-database.js';
import { debianPurl, genericPurl, mavenPurl, npmPurl } from '../../src/components/purl.js';
import { installedNpmPackages, owningPackage } from '../../src/components/npm-packages.js';

const madeDirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
};
after(() => madeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('component identity', () => {
  it('encodes + as %2B in purl versions and keeps Debian epochs', () => {
    assert.equal(debianPurl('debian', 'libsqlite3-0', '3.40.1-2+deb12u2', 'amd64'), 'pkg:deb/debian/libsqlite3-0@3.40.1-2%2Bdeb12u2?arch=amd64');
    assert.equal(debianPurl('debian', 'zlib1g', '1:1.2.13.dfsg-1', 'amd64'), 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64');
    assert.equal(npmPurl('@babel/core', '7.29.0'), 'pkg:npm/%40babel/core@7.29.0');
    assert.equal(mavenPurl('com.google.guava', 'guava', '33.3.1-jre'), 'pkg:maven/com.google.guava/guava@33.3.1-jre');
    assert.equal(genericPurl('libfoo.so.1', undefined, 'ab'), 'pkg:generic/libfoo.so.1?checksum=sha256%3Aab');
  });

  it('spells a path every merged-/usr way', () => {
    assert.ok(pathSpellings('/lib/x86_64-linux-gnu/libz.so.1').includes('/usr/lib/x86_64-linux-gnu/libz.so.1'));
    assert.ok(pathSpellings('/usr/bin/node').includes('/bin/node'));
  });

  it('finds the owning package in a dpkg database: Multi-Arch list names, /lib alias, epochs, not-installed packages', () => {
    const root = tempDir('apitrace-dpkg-');
    mkdirSync(join(root, 'info'));
    writeFileSync(
      join(root, 'status'),
      [
        'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n',
        'Package: oldlib\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0\n',
        'Package: tool\nStatus: install ok installed\nArchitecture: all\nVersion: 2.0+b1\n',
      ].join('\n'),
    );
    writeFileSync(join(root, 'info', 'zlib1g:amd64.list'), '/.\n/usr\n/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n/usr/lib/x86_64-linux-gnu/libz.so.1\n');
    writeFileSync(join(root, 'info', 'oldlib:amd64.list'), '/usr/lib/x86_64-linux-gnu/libold.so.1\n');
    writeFileSync(join(root, 'info', 'tool.list'), '/usr/bin/tool\n');
    const db = new DpkgDatabase(root);
    assert.deepEqual(db.ownerOf('/lib/x86_64-linux-gnu/libz.so.1'), { package: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64', source: 'zlib' });
    assert.equal(db.ownerOf('/usr/lib/x86_64-linux-gnu/libold.so.1'), undefined);
    assert.equal(db.ownerOf('/bin/tool')?.version, '2.0+b1');
    assert.equal(db.ownerOf('/usr/bin/unknown'), undefined);
  });

  it('names the package of the file a link resolves to, not the package that ships the link', () => {
    // as libtirpc-dev ships libtirpc.so -> libtirpc.so.3.0.0 of libtirpc3: a dlopen of the link runs libtirpc3's code
    const root = tempDir('apitrace-dpkg-');
    const lib = join(realpathSync(root), 'lib');
    mkdirSync(join(root, 'info'));
    mkdirSync(lib);
    writeFileSync(join(lib, 'libtirpc.so.3.0.0'), 'ELF');
    symlinkSync('libtirpc.so.3.0.0', join(lib, 'libtirpc.so'));
    writeFileSync(
      join(root, 'status'),
      [
        'Package: libtirpc3\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.3.3+ds-1\n',
        'Package: libtirpc-dev\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.3.3+ds-1\n',
      ].join('\n'),
    );
    writeFileSync(join(root, 'info', 'libtirpc3:amd64.list'), `${join(lib, 'libtirpc.so.3.0.0')}\n`);
    writeFileSync(join(root, 'info', 'libtirpc-dev:amd64.list'), `${join(lib, 'libtirpc.so')}\n`);
    const db = new DpkgDatabase(root);
    assert.equal(db.ownerOf(join(lib, 'libtirpc.so'))?.package, 'libtirpc3');
    assert.equal(db.ownerOf(join(lib, 'libtirpc.so.3.0.0'))?.package, 'libtirpc3');
  });

  it('finds npm packages: the owner of a file, and every installed package under node_modules', () => {
    const app = tempDir('apitrace-npm-');
    const pkg = (dir: string, json: object): void => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
    };
    pkg(app, { name: 'app', version: '1.0.0', dependencies: { a: '1' } });
    pkg(join(app, 'node_modules', 'a'), { name: 'a', version: '1.0.0' });
    pkg(join(app, 'node_modules', '@s', 'b'), { name: '@s/b', version: '2.0.0' });
    pkg(join(app, 'node_modules', 'a', 'node_modules', 'c'), { name: 'c', version: '3.0.0' });
    mkdirSync(join(app, 'node_modules', 'a', 'lib'));
    assert.equal(owningPackage(join(app, 'node_modules', 'a', 'lib', 'x.js'))?.name, 'a');
    assert.deepEqual(
      installedNpmPackages(app).map((p) => `${p.name}@${p.version}`),
      ['@s/b@2.0.0', 'a@1.0.0', 'c@3.0.0'],
    );
  });
});
