// Usage-based SBOMs over real programs: apitrace run writes both formats into the run directory,
// each component marked used / loaded / installed as the program really used it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppModel, validateCycloneDx, validateSpdx } from '@apitrace/core';
import { CLI, FIXTURES } from '../support/paths.js';
import { buildSqliteOnlyProgram } from '../support/native-programs.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface CdxComponent {
  name: string;
  purl?: string;
  properties?: { name: string; value: string }[];
  evidence?: { callstack?: { frames: { function: string }[] } };
}

const usageOf = (c: CdxComponent | undefined): string | undefined => c?.properties?.find((p) => p.name === 'apitrace:usage')?.value;

async function apitraceRun(dir: string, command: string[], cwd?: string): Promise<void> {
  const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', ...command], { env: cleanEnv(), ...(cwd ? { cwd } : {}) });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /cannot write the SBOMs/);
}

async function readSboms(
  dir: string,
): Promise<{ cdx: { components: CdxComponent[] }; spdx: { packages: { name: string; annotations: { comment: string }[] }[] } }> {
  const cdxText = readFileSync(join(dir, 'sbom.cdx.json'), 'utf8');
  const spdxText = readFileSync(join(dir, 'sbom.spdx.json'), 'utf8');
  assert.equal(await validateCycloneDx(cdxText), undefined);
  assert.equal(validateSpdx(spdxText), undefined);
  return { cdx: JSON.parse(cdxText), spdx: JSON.parse(spdxText) };
}

/**
 * The node fixture as npm would leave it: its three dependencies are kept in the repository under
 * packages/ (a tracked node_modules would be taken for an install) and copied into node_modules here.
 */
function installedNodeUsageStates(work: string): string {
  const app = join(work, 'node-usage-states');
  cpSync(join(FIXTURES, 'node-usage-states'), app, { recursive: true });
  for (const name of readdirSync(join(app, 'packages'))) {
    cpSync(join(app, 'packages', name), join(app, 'node_modules', name), { recursive: true });
  }
  rmSync(join(app, 'packages'), { recursive: true });
  return app;
}

describe('usage-based SBOMs (end to end)', () => {
  const work = tempDir('sbom');
  after(() => rmSync(work, { recursive: true, force: true }));

  it('node: one dependency used, one only loaded, one only installed, in both formats', async () => {
    const dir = join(work, 'node-run');
    await apitraceRun(dir, ['node', join(installedNodeUsageStates(work), 'app.js')]);
    const { cdx, spdx } = await readSboms(dir);
    const byName = (name: string): CdxComponent | undefined => cdx.components.find((c) => c.name === name);
    assert.deepEqual(
      ['usage-state-used', 'usage-state-loaded', 'usage-state-installed'].map((n) => usageOf(byName(n))),
      ['used', 'loaded', 'installed'],
    );
    assert.equal(byName('usage-state-used')?.purl, 'pkg:npm/usage-state-used@1.0.0');
    assert.equal(byName('usage-state-used')?.properties?.find((p) => p.name === 'apitrace:functions:used')?.value, '1');
    assert.equal(byName('usage-state-used')?.properties?.find((p) => p.name === 'apitrace:functions:total')?.value, '2');
    const spdxState = (name: string): string | undefined =>
      /^apitrace:usage=(\w+)$/m.exec(spdx.packages.find((p) => p.name === name)?.annotations[0]?.comment ?? '')?.[1];
    assert.deepEqual(['usage-state-used', 'usage-state-loaded', 'usage-state-installed'].map(spdxState), ['used', 'loaded', 'installed']);
  });

  it('java: three library jars used, only loaded, only installed, with Maven purls, in both formats', async () => {
    const dir = join(work, 'java-run');
    const fixture = join(FIXTURES, 'java-usage-states');
    await apitraceRun(dir, ['java', '-cp', 'app/target/usage-app.jar:app/target/lib/*', 'dev.apitrace.fixture.app.UsageStates'], fixture);
    const { cdx, spdx } = await readSboms(dir);
    const jars = ['usage-used', 'usage-loaded', 'usage-installed'];
    const byName = (name: string): CdxComponent | undefined => cdx.components.find((c) => c.name === name);
    assert.deepEqual(
      jars.map((n) => usageOf(byName(n))),
      ['used', 'loaded', 'installed'],
    );
    assert.deepEqual(
      jars.map((n) => byName(n)?.purl),
      jars.map((n) => `pkg:maven/dev.apitrace.fixtures/${n}@1.0.0`),
    );
    const spdxState = (name: string): string | undefined =>
      /^apitrace:usage=(\w+)$/m.exec(spdx.packages.find((p) => p.name === `dev.apitrace.fixtures:${name}`)?.annotations[0]?.comment ?? '')?.[1];
    assert.deepEqual(jars.map(spdxState), ['used', 'loaded', 'installed']);
    // the JVM itself is a component: the Debian package of the java executable, used
    const jvm = cdx.components.find((c) => c.purl?.startsWith('pkg:deb/debian/openjdk-'));
    assert.equal(usageOf(jvm), 'used');
  });

  it('apitrace sbom prints the same documents again, byte for byte, and writes -o files', async () => {
    const dir = join(work, 'node-run');
    for (const [format, file] of [
      ['cyclonedx', 'sbom.cdx.json'],
      ['spdx', 'sbom.spdx.json'],
    ] as const) {
      const r = await runProgram(process.execPath, [CLI, 'sbom', dir, '--format', format], { env: cleanEnv() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(join(dir, file), 'utf8'));
    }
    const out = join(work, 'out.spdx.json');
    const written = await runProgram(process.execPath, [CLI, 'sbom', dir, '-f', 'spdx', '-o', out], { env: cleanEnv() });
    assert.equal(written.status, 0, written.stderr);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(dir, 'sbom.spdx.json'), 'utf8'));
    const wrong = await runProgram(process.execPath, [CLI, 'sbom', dir, '--format', 'swid'], { env: cleanEnv() });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /^apitrace: option '-f, --format <format>' argument 'swid' is invalid/);
  });

  it('native: a C program linking libsqlite3 and libz and calling only sqlite: libsqlite3 used, libz loaded, Debian purls', async function () {
    const program = buildSqliteOnlyProgram(work);
    const dir = join(work, 'native-run');
    await apitraceRun(dir, [program]);
    const { cdx } = await readSboms(dir);
    const sqlite = cdx.components.find((c) => c.name === 'libsqlite3-0');
    const zlib = cdx.components.find((c) => c.name === 'zlib1g');
    assert.ok(sqlite && zlib, `components: ${cdx.components.map((c) => c.purl ?? c.name).join(', ')}`);
    assert.match(sqlite.purl!, /^pkg:deb\/debian\/libsqlite3-0@[^?]+\?arch=amd64$/);
    assert.doesNotMatch(sqlite.purl!, /\+/);
    assert.match(zlib.purl!, /^pkg:deb\/debian\/zlib1g@1:[^?]+\?arch=amd64$/);
    assert.equal(usageOf(sqlite), 'used');
    assert.equal(usageOf(zlib), 'loaded');
  });

  it('node: the libc open/openat of fs.readFileSync sits beneath its JS frames (merged stack, exact join)', async () => {
    const dir = join(work, 'node-run');
    const model = await buildAppModel(dir);
    const merged = model.calls.filter((c) => c.source === 'native' && /^libc:open/.test(c.api) && c.args?.['path'] === '/etc/hostname');
    assert.ok(merged.length > 0, `native opens of /etc/hostname: none among ${model.calls.filter((c) => c.source === 'native').length} native calls`);
    const stack = merged[0]!.stack!;
    assert.equal(stack.join, 'exact');
    assert.equal(stack.spanApi, 'node:fs.readFileSync');
    const fns = stack.frames.map((f) => f.fn);
    assert.ok(fns.indexOf('fs.readFileSync') > 0 && fns.indexOf('readHostname') > fns.indexOf('fs.readFileSync'), fns.join(' < '));
  });

  it('node: the open of fs.readFile on a libuv pool thread joins its span by path (inferred)', async () => {
    const app = join(work, 'read-async.js');
    writeFileSync(
      app,
      [
        "const fs = require('node:fs');",
        "function readLater() { fs.readFile('/etc/os-release', 'utf8', (err, text) => process.stdout.write(String(!err && text.length > 0) + '\\n')); }",
        'readLater();',
      ].join('\n'),
    );
    const dir = join(work, 'async-run');
    await apitraceRun(dir, ['node', app]);
    const model = await buildAppModel(dir);
    const span = model.calls.find((c) => c.api === 'node:fs.readFile' && c.args?.['path'] === '/etc/os-release');
    assert.ok(span, 'the fs.readFile span');
    const opens = model.calls.filter((c) => c.source === 'native' && /^libc:open/.test(c.api) && c.args?.['path'] === '/etc/os-release');
    assert.equal(opens.length, 1);
    const open = opens[0]!;
    assert.notEqual(open.tid, span.tid, 'the open ran on another thread');
    assert.equal(open.stack?.join, 'inferred');
    assert.equal(open.stack?.matchedOn, 'path');
    assert.equal(model.calls[open.parentCall!], span);
    // the native frames first (the call, then its calling site, named from node's symbols: libuv's
    // uv__fs_work, with the function inlined there first), then the span's
    const frames = open.stack?.frames ?? [];
    const firstLanguage = frames.findIndex((f) => f.lang !== 'native');
    assert.ok(firstLanguage >= 2 && frames.slice(1, firstLanguage).every((f) => f.lang === 'native' && f.addr !== undefined), JSON.stringify(frames));
    assert.deepEqual(
      frames.slice(firstLanguage, firstLanguage + 2).map((f) => f.fn),
      ['fs.readFile', 'readLater'],
    );
  });

  it('java: the libc open beneath Files.readString sits under its Java frames (merged stack, exact join)', async () => {
    const source = join(work, 'ReadHostname.java');
    writeFileSync(
      source,
      [
        'import java.nio.file.Files;',
        'import java.nio.file.Path;',
        'public class ReadHostname {',
        '  static String readHostname() throws Exception { return Files.readString(Path.of("/etc/hostname")); }',
        '  public static void main(String[] args) throws Exception { System.out.println(readHostname().length() > 0); }',
        '}',
      ].join('\n'),
    );
    const javac = spawnSync('javac', ['-d', work, source], { encoding: 'utf8' });
    assert.equal(javac.status, 0, javac.stderr);
    const dir = join(work, 'java-read-run');
    await apitraceRun(dir, ['java', '-cp', work, 'ReadHostname']);
    const model = await buildAppModel(dir);
    const opens = model.calls.filter((c) => c.source === 'native' && /^libc:open/.test(c.api) && c.args?.['path'] === '/etc/hostname');
    assert.ok(opens.length > 0, 'the native open of /etc/hostname');
    const stack = opens[0]!.stack!;
    assert.equal(stack.join, 'exact');
    assert.match(stack.spanApi ?? '', /^java:java\.nio\./);
    const fns = stack.frames.map((f) => f.fn);
    assert.equal(stack.frames[0]!.lang, 'native');
    // the call, its calling site (one frame per function named there), then the Java frames
    const firstLanguage = stack.frames.findIndex((f) => f.lang !== 'native');
    assert.ok(firstLanguage >= 2, fns.join(' < '));
    assert.equal(stack.frames[firstLanguage]!.lang, 'java');
    assert.ok(fns.includes('ReadHostname.readHostname') && fns.indexOf('ReadHostname.readHostname') > 2, fns.join(' < '));
    assert.equal(model.calls[opens[0]!.parentCall!]!.source, 'jvm');
  });
});
