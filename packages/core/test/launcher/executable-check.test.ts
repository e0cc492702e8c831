import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfLinking, findOnPath, nativeInterceptionWarnings } from '../../src/launcher/executable-check.js';

const work = mkdtempSync(join(tmpdir(), 'apitrace-exe-'));
const env = { PATH: `${work}:/usr/bin:/bin` };

function compile(name: string, flags: string[]): string {
  const src = join(work, `${name}.c`);
  writeFileSync(src, 'int main(void) { return 0; }\n');
  const out = join(work, name);
  execFileSync('gcc', [...flags, '-o', out, src]);
  return out;
}

describe('native interception checks', () => {
  it('finds commands on PATH like execvp', () => {
    assert.equal(findOnPath('sh', '/nonexistent:/bin', '/'), '/bin/sh');
    assert.equal(findOnPath('./x', '/bin', '/tmp'), '/tmp/x');
    assert.equal(findOnPath('no-such-command-here', '/bin', '/'), undefined);
  });

  it('tells dynamic from static ELF programs', () => {
    assert.equal(elfLinking(compile('dyn', [])), 'dynamic');
    assert.equal(elfLinking(compile('stat', ['-static'])), 'static');
    assert.equal(elfLinking('/etc/hostname'), 'not-elf');
  });

  it('warns for a static program, directly or behind a #! script', () => {
    const stat = compile('stat2', ['-static']);
    assert.match(nativeInterceptionWarnings(stat, env, '/')[0]!, /is statically linked: native interception cannot attach/);
    const script = join(work, 'via-env');
    writeFileSync(script, '#!/usr/bin/env stat2\n');
    chmodSync(script, 0o755);
    assert.match(nativeInterceptionWarnings('via-env', env, '/')[0]!, /stat2 is statically linked/);
  });

  it('says nothing for ordinary programs and scripts, or unknown commands', () => {
    assert.deepEqual(nativeInterceptionWarnings('sh', env, '/'), []);
    assert.deepEqual(nativeInterceptionWarnings('node', { PATH: process.env['PATH'] }, '/'), []);
    assert.deepEqual(nativeInterceptionWarnings('no-such-command-here', env, '/'), []);
  });

  it('warns for a program that is setuid to another user', function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to chown; CI and dev machines here run as root
    const suid = join(work, 'suid-true');
    copyFileSync('/bin/true', suid);
    chownSync(suid, 65534, 65534);
    chmodSync(suid, 0o4755);
    assert.match(nativeInterceptionWarnings(suid, env, '/')[0]!, /is setuid: the loader ignores LD_PRELOAD/);
    chmodSync(suid, 0o2755);
    assert.match(nativeInterceptionWarnings(suid, env, '/')[0]!, /is setgid/);
  });
});
