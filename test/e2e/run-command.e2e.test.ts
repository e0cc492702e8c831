// `apitrace run` over real programs: the foundation's acceptance, as a new user tries it.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';
import { onlyRunDir, readValidRun } from '../support/runs.js';

function apitrace(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) {
  return runProgram(process.execPath, [CLI, ...args], { cwd, env });
}

describe('apitrace run (end to end)', () => {
  it('runs node reading a file: exit 0, a private run directory, native and node records of one process', async () => {
    const cwd = tempDir('run-node');
    const r = await apitrace(['run', '--', 'node', '-e', "require('fs').readFileSync('/etc/hostname')"], cwd);
    assert.equal(r.status, 0, r.stderr);
    const dir = onlyRunDir(cwd);
    assert.match(dir, /\/\.apitrace\/runs\/\d{8}-\d{6}-[0-9a-f]{6}$/);
    assert.equal(statSync(dir).mode & 0o777, 0o700);

    const { images, run } = await readValidRun(dir);
    const nodeImage = images.find((i) => i.argv?.[0] === 'node');
    assert.ok(nodeImage, `no node process in ${JSON.stringify(images.map((i) => i.argv))}`);
    assert.deepEqual([...nodeImage.sources].sort(), ['native', 'node']);
    assert.equal(nodeImage.end?.exit_code, 0);
    assert.equal(run.manifest?.exit_status, 0);
    assert.deepEqual(run.manifest?.plugins, { native: 'injected', node: 'injected', jvm: 'injected' });

    assert.match(r.stderr, /^apitrace: run .*\.apitrace\/runs\//m);
    assert.match(r.stderr, new RegExp(`^\\s+${nodeImage.pid}\\s+\\d+\\s+native,node\\s+exit 0\\s+node -e`, 'm'));
    assert.match(r.stderr, /records: \d+ \(.*process_start \d+/);
    assert.match(r.stderr, /problems: none/);
    assert.equal(r.stdout, '', 'the summary goes to stderr, stdout belongs to the application');
  });

  it('follows a process tree through sh into java and node', async () => {
    const cwd = tempDir('run-tree');
    const r = await apitrace(['run', '--', 'sh', '-c', 'java -version 2>/dev/null; node -e 0; exit 0'], cwd);
    assert.equal(r.status, 0, r.stderr);
    const { images } = await readValidRun(onlyRunDir(cwd));
    const shell = images.find((i) => i.argv?.[0] === 'sh');
    const java = images.find((i) => i.sources.includes('jvm'));
    const node = images.find((i) => i.sources.includes('node'));
    assert.ok(shell && java && node, JSON.stringify(images.map((i) => [i.pid, i.sources])));
    assert.deepEqual([...java.sources].sort(), ['jvm', 'native']);
    assert.equal(java.ppid, shell.pid);
    assert.equal(node.ppid, shell.pid);
  });

  it('exits with the command status, and 128 + signal when the command is killed', async () => {
    const cwd = tempDir('run-status');
    assert.equal((await apitrace(['run', '--out', join(cwd, 'a'), '--', 'sh', '-c', 'exit 7'], cwd)).status, 7);
    assert.equal((await apitrace(['run', '--out', join(cwd, 'b'), '--', 'sh', '-c', 'kill -TERM $$'], cwd)).status, 143);
    const { images } = await readValidRun(join(cwd, 'a'));
    assert.equal(images[0]?.end?.exit_code, 7);
  });

  it('passes stdout, stderr and exit status through unchanged', async () => {
    const cwd = tempDir('run-io');
    const script = 'echo out; echo err >&2; exit 5';
    const bare = await runProgram('sh', ['-c', script], { cwd, env: cleanEnv() });
    const traced = await apitrace(['run', '--', 'sh', '-c', script], cwd);
    assert.equal(traced.status, bare.status);
    assert.equal(traced.stdout, bare.stdout);
    assert.ok(traced.stderr.startsWith(bare.stderr), traced.stderr);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
    it(`forwards ${signal} sent to the launcher alone to the command`, async () => {
      const cwd = tempDir('run-signal');
      const app = `process.on('${signal}', () => { console.log('got ${signal}'); process.exit(42); });
        console.log('ready'); setInterval(() => {}, 1000);`;
      const launcher = spawn(process.execPath, [CLI, 'run', '--', 'node', '-e', app], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      const exit = new Promise<number | null>((resolve) => launcher.on('close', (code) => resolve(code)));
      launcher.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ready')) launcher.kill(signal);
      });
      assert.equal(await exit, 42);
      assert.match(stdout, new RegExp(`got ${signal}`));
    });
  }

  it("delivers a terminal's Ctrl-C to the command exactly once", async () => {
    // script(1) gives the launcher a terminal; ^C on it signals the whole foreground group.
    const cwd = tempDir('run-tty');
    const app = join(cwd, 'count-sigint.cjs');
    writeFileSync(
      app,
      `let n = 0;
      process.on('SIGINT', () => { if (++n === 1) setTimeout(() => { console.log('sigints=' + n); process.exit(0); }, 500); });
      console.log('ready'); setInterval(() => {}, 1000);`,
    );
    // exec: script(1) runs this through $SHELL, and a shell left waiting would take the ^C too.
    const command = `exec ${process.execPath} ${CLI} run -- ${process.execPath} ${app}`;
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: cleanEnv({ SHELL: '/bin/sh' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const exit = new Promise<number | null>((resolve) => terminal.on('close', (code) => resolve(code)));
    terminal.stdout.on('data', (d: Buffer) => {
      const sawReady = output.includes('ready');
      output += d.toString();
      if (!sawReady && output.includes('ready')) terminal.stdin.write('\x03');
    });
    assert.equal(await exit, 0, output);
    assert.match(output, /sigints=1\r?\n/);
  });

  it('exits 128 + n when a forwarded signal kills the command', async () => {
    const cwd = tempDir('run-signal-kill');
    const launcher = spawn(process.execPath, [CLI, 'run', '--', 'node', '-e', "console.log('ready'); setInterval(() => {}, 1000)"], {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = new Promise<number | null>((resolve) => launcher.on('close', (code) => resolve(code)));
    launcher.stdout.on('data', () => launcher.kill('SIGINT'));
    assert.equal(await exit, 130);
  });

  it("keeps the user's LD_PRELOAD, NODE_OPTIONS and JAVA_TOOL_OPTIONS", async () => {
    const cwd = tempDir('run-env');
    const env = cleanEnv({ NODE_OPTIONS: '--max-old-space-size=300', JAVA_TOOL_OPTIONS: '-Dx=1' });
    const r = await apitrace(
      [
        'run',
        '--',
        'node',
        '-e',
        'console.log(JSON.stringify([process.env.NODE_OPTIONS, process.env.JAVA_TOOL_OPTIONS, process.env.LD_PRELOAD, process.env.APITRACE_DIR]))',
      ],
      cwd,
      env,
    );
    const [nodeOptions, javaOptions, preload, apitraceDir] = JSON.parse(r.stdout) as string[];
    assert.match(nodeOptions!, /^--max-old-space-size=300 --import \/.*node-plugin\/dist\/src\/index\.js$/);
    assert.match(javaOptions!, /^-Dx=1 -javaagent:\/.*apitrace\.jar$/);
    assert.match(preload!, /libapitrace\.so$/);
    assert.equal(apitraceDir, onlyRunDir(cwd));
  });

  it('runs without the plugins the flags turn off', async () => {
    const cwd = tempDir('run-flags');
    const r = await apitrace(['run', '--no-native', '--no-jvm', '--', 'node', '-e', 'console.log(process.env.LD_PRELOAD ?? "none")'], cwd);
    assert.equal(r.stdout, 'none\n');
    const { images, run } = await readValidRun(onlyRunDir(cwd));
    assert.deepEqual(
      images.map((i) => i.sources),
      [['node']],
    );
    assert.deepEqual(run.manifest?.plugins, { native: 'disabled', node: 'injected', jvm: 'disabled' });
  });

  it('warns about a statically linked program and still runs it', async () => {
    const cwd = tempDir('run-static');
    const src = join(cwd, 'st.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("static ok"); return 4; }\n');
    assert.equal((await runProgram('gcc', ['-static', '-o', join(cwd, 'st'), src])).status, 0);
    const r = await apitrace(['run', '--', './st'], cwd);
    assert.equal(r.status, 4);
    assert.equal(r.stdout, 'static ok\n');
    assert.match(r.stderr, /^apitrace: .*\/st is statically linked: native interception cannot attach to it/m);
  });

  it('exits 127 with one line when the command does not exist', async () => {
    const cwd = tempDir('run-missing');
    const r = await apitrace(['run', '--', 'no-such-command-xyz'], cwd);
    assert.equal(r.status, 127);
    assert.match(r.stderr, /^apitrace: cannot run no-such-command-xyz: command not found$/m);
  });

  it('refuses a non-empty --out directory with exit 2 and runs nothing', async () => {
    const cwd = tempDir('run-out');
    writeFileSync(join(cwd, 'keep'), '');
    const r = await apitrace(['run', '--out', cwd, '--', 'sh', '-c', 'echo ran'], cwd);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `apitrace: --out ${cwd}: directory is not empty (choose a new or empty directory so runs never mix)\n`);
  });

  it('exits 2 with usage help when no command is given', async () => {
    const r = await apitrace(['run'], tempDir('run-usage'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^apitrace: missing required argument 'command'/);
  });
});
