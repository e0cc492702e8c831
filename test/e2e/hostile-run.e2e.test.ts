// What an observed process (or an image, or a careless user) can hand the CLI: planted files in
// the run directory, files changed after the run, a PATH or a disk that misbehaves, signals.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

function apitrace(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), nodeFlags: string[] = []) {
  return runProgram(process.execPath, [...nodeFlags, CLI, ...args], { cwd, env });
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;
const EVENT_FILE = /^\d+-(native|node|jvm)-\d+\.jsonl$/;

async function recordedRun(cwd: string, name: string, command: string[]): Promise<string> {
  const out = join(cwd, name);
  const r = await apitrace(['run', '--out', out, '--', ...command], cwd);
  assert.equal(r.status, 0, r.stderr);
  return out;
}

describe('hostile and careless input (end to end)', () => {
  it('reports, diffs and writes SBOMs of a run holding a FIFO, a link to a secret and 150 MB of brackets, without hanging or echoing', async () => {
    const cwd = tempDir('hostile-dir');
    const dir = await recordedRun(cwd, 'run', ['sh', '-c', 'exit 0']);
    rmSync(join(dir, 'fingerprint.json'));
    const secret = join(cwd, 'secret');
    writeFileSync(secret, 'TOP-SECRET-LINE\n');
    symlinkSync(secret, join(dir, '900001-native-0.jsonl'));
    execFileSync('mkfifo', [join(dir, '900002-node-0.jsonl')]);
    writeFileSync(join(dir, '900003-native-0.jsonl'), '['.repeat(150 * 1024 * 1024));
    // a small heap: holding the 150 MB line (or reading a device) would run out of it
    const report = await apitrace(['report', dir], cwd, cleanEnv(), ['--max-old-space-size=64']);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /900001-native-0\.jsonl: skipped: it is a symbolic link/);
    assert.match(report.stdout, /900002-node-0\.jsonl: skipped: it is a FIFO/);
    assert.match(report.stdout, /900003-native-0\.jsonl: not an event file/);
    assert.doesNotMatch(report.stdout + report.stderr, /TOP-SECRET/);
    for (const args of [
      ['sbom', dir, '--format', 'cyclonedx'],
      ['diff', dir, dir],
    ]) {
      const r = await apitrace(args, cwd, cleanEnv(), ['--max-old-space-size=64']);
      assert.equal(r.status, 0, `${args[0]}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /TOP-SECRET|\n\s+at /);
    }
  });

  it('identifies components named by forged records without reading a device, a FIFO or a huge file', async () => {
    const cwd = tempDir('hostile-units');
    const recorded = await recordedRun(cwd, 'recorded', ['sh', '-c', 'exit 0']);
    const eventFile = readdirSync(recorded).find((n) => /-native-0\.jsonl$/.test(n))!;
    const dir = join(cwd, 'forged');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(cwd, 'fifo.so')]);
    mkdirSync(join(cwd, 'node_modules', 'evil'), { recursive: true });
    execFileSync('mkfifo', [join(cwd, 'node_modules', 'evil', 'package.json')]);
    writeFileSync(join(cwd, 'node_modules', 'evil', 'index.js'), '');
    const unit = (path: string, unit = 'shared_object') =>
      JSON.stringify({ kind: 'code_unit', t: 1, unit, how: unit === 'module' ? 'require' : 'dlopen', path });
    writeFileSync(
      join(dir, eventFile),
      readFileSync(join(recorded, eventFile), 'utf8') +
        [unit('/dev/zero'), unit('/dev/urandom'), unit(join(cwd, 'fifo.so')), unit(join(cwd, 'node_modules', 'evil', 'index.js'), 'module')].join('\n') +
        '\n',
    );
    const r = await apitrace(['sbom', dir, '--format', 'cyclonedx'], cwd, cleanEnv(), ['--max-old-space-size=64']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, STACK_TRACE);
    assert.match(r.stdout, /"bomFormat": "CycloneDX"/);
  });

  it('seals a run: a file changed or a fingerprint forged afterwards is named, and diff --fail-on fails closed', async () => {
    const cwd = tempDir('hostile-seal');
    const base = await recordedRun(cwd, 'base', ['sh', '-c', 'exit 0']);
    const head = await recordedRun(cwd, 'head', ['sh', '-c', 'exit 0']);
    const manifest = JSON.parse(readFileSync(join(head, 'run.json'), 'utf8')) as { seal?: { event_files: Record<string, unknown> } };
    const eventFiles = readdirSync(head)
      .filter((n) => EVENT_FILE.test(n))
      .sort();
    assert.deepEqual(Object.keys(manifest.seal?.event_files ?? {}).sort(), eventFiles);

    const untouched = await apitrace(['diff', '--fail-on', 'any', base, head], cwd);
    assert.equal(untouched.status, 0, untouched.stderr);
    assert.doesNotMatch(untouched.stderr, /seal/);

    // a forged fingerprint: any content other than what apitrace wrote
    writeFileSync(join(head, 'fingerprint.json'), readFileSync(join(base, 'fingerprint.json'), 'utf8').replace('"format"', ' "format"'));
    const forged = await apitrace(['diff', '--fail-on', 'new-network', base, head], cwd);
    assert.equal(forged.status, 3, forged.stderr);
    assert.match(forged.stderr, /fingerprint\.json: changed after the run ended/);
    assert.match(forged.stderr, /drift gate: the runs are not as apitrace sealed them/);

    // an event file truncated, the fingerprint removed so it is computed from the events
    rmSync(join(head, 'fingerprint.json'));
    writeFileSync(join(head, eventFiles[0]!), readFileSync(join(head, eventFiles[0]!)).subarray(0, 40));
    const truncated = await apitrace(['diff', '--fail-on', 'new-network', base, head], cwd);
    assert.equal(truncated.status, 3, truncated.stderr);
    assert.match(truncated.stderr, new RegExp(`${eventFiles[0]!.replace('.', '\\.')}: changed after the run ended: 40 bytes now`));
    const report = await apitrace(['report', head], cwd);
    assert.match(report.stdout, /changed after the run ended/);

    // without a gate the drift is still shown, with the warning
    appendFileSync(
      join(
        base,
        readdirSync(base).find((n) => EVENT_FILE.test(n))!,
      ),
      '\n',
    );
    const shown = await apitrace(['diff', base, head], cwd);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stderr, /changed after the run ended/);
  });

  it('says when the command itself left no event file, and a drift gate on that run fails closed', async () => {
    const cwd = tempDir('hostile-static');
    const out = join(cwd, 'run');
    // ldconfig is statically linked on Debian: LD_PRELOAD cannot reach it
    const r = await apitrace(['run', '--out', out, '--', '/sbin/ldconfig', '--version'], cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /statically linked/);
    assert.match(r.stderr, /the command's process \(pid \d+\) left no event file/);
    const gate = await apitrace(['diff', '--fail-on', 'any', out, out], cwd);
    assert.equal(gate.status, 3, gate.stderr);
  });

  it('runs the command when a PATH entry is a file or cannot be searched', async () => {
    const cwd = tempDir('hostile-path');
    const locked = join(cwd, 'locked');
    mkdirSync(locked, { mode: 0o000 });
    const env = cleanEnv({ PATH: `/etc/passwd:${locked}:${process.env['PATH'] ?? '/usr/bin:/bin'}` });
    const r = await apitrace(['run', '--out', join(cwd, 'run'), '--', 'sh', '-c', 'echo ran'], cwd, env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ran\n');
    assert.doesNotMatch(r.stderr, STACK_TRACE);
  });

  it('stops with one line when the disk is full at start, and runs nothing', async function () {
    const cwd = tempDir('hostile-full');
    const disk = join(cwd, 'disk');
    mkdirSync(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { stdio: 'ignore' });
    } catch {
      this.skip(); // mounting a tiny file system needs root; CI runs as root
    }
    try {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'fill')}`, 'bs=1k', 'count=128'], { stdio: 'ignore' });
      } catch {
        // dd fails once the disk is full: that is the point
      }
      const marker = join(cwd, 'ran');
      const r = await apitrace(['run', '--out', join(disk, 'run'), '--', 'touch', marker], cwd);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /^apitrace: cannot write .*\/run\.json: no space left on the device \(make room or fix the permissions there, or choose another --out\)\n$/,
      );
      assert.throws(() => readFileSync(marker), /ENOENT/);
    } finally {
      execFileSync('umount', [disk]);
    }
  });

  it('passes SIGUSR1 on to the command and never opens its own inspector', async () => {
    const cwd = tempDir('hostile-usr1');
    // the child signals the launcher, then waits for the signal to come back to it
    const script =
      "process.on('SIGUSR1', () => { console.log('forwarded'); process.exit(0); }); process.kill(process.ppid, 'SIGUSR1'); setInterval(() => {}, 1000);";
    const r = await apitrace(['run', '--out', join(cwd, 'run'), '--', process.execPath, '-e', script], cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'forwarded\n');
    assert.doesNotMatch(r.stderr, /Debugger listening/);
  });
});
