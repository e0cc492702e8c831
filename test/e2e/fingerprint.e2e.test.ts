// The behavioural fingerprint over real runs: two runs of the same deterministic program give
// byte-identical fingerprint.json files, although pids, the temporary directory's name and
// the server's port differ between them; apitrace fingerprint prints the same document.
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

interface FingerprintJson {
  format: string;
  components: Record<string, string>;
  apis: Record<string, string[]>;
  files: Record<string, string[]>;
  network: { peers: string[]; listening: string[]; hosts: string[] };
  programs: string[];
  webApis: { served: string[]; called: string[] };
}

describe('behavioural fingerprint (end to end)', function () {
  this.timeout(120_000);
  const work = tempDir('fingerprint');
  after(() => rmSync(work, { recursive: true, force: true }));

  const runs: string[] = [];
  before(async () => {
    for (const name of ['first', 'second']) {
      const dir = join(work, name);
      const r = await runProgram(process.execPath, [CLI, 'run', '--out', dir, '--', 'node', join(FIXTURES, 'drift-app', 'v1.mjs')], {
        env: cleanEnv(),
        cwd: REPO_ROOT,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'tea costs 2\n');
      runs.push(dir);
    }
  });

  it('two runs of the same program: byte-identical fingerprint.json', () => {
    const [a, b] = runs.map((dir) => readFileSync(join(dir, 'fingerprint.json'), 'utf8'));
    assert.ok(a!.length > 200, a);
    assert.equal(a, b);
  });

  it('says what the program did, with run-specific values as patterns', () => {
    const fp = JSON.parse(readFileSync(join(runs[0]!, 'fingerprint.json'), 'utf8')) as FingerprintJson;
    assert.equal(fp.format, 'apitrace-fingerprint');
    assert.deepEqual(fp.webApis.served, ['GET /prices/tea']);
    assert.ok(fp.webApis.called.includes('GET http://127.0.0.1:<ephemeral>/prices/tea'), fp.webApis.called.join(', '));
    assert.ok(fp.network.peers.includes('127.0.0.1:<ephemeral>'), fp.network.peers.join(', '));
    assert.ok(fp.programs.includes('/usr/bin/node') || fp.programs.some((p) => p.endsWith('/node')), fp.programs.join(', '));
    // the price list, relative to the directory apitrace run was started in
    assert.ok(fp.files['<cwd>/test/fixtures/drift-app/prices.json']?.includes('read'), Object.keys(fp.files).join('\n'));
    // the receipt in mkdtemp's directory: the random part of its name is a pattern
    const receipt = Object.keys(fp.files).find((p) => p.endsWith('/receipt.txt'));
    assert.equal(receipt, '/tmp/drift-app-<random>/receipt.txt');
    assert.ok(fp.files[receipt]!.includes('write'));
    assert.ok(Object.values(fp.apis).some((apis) => apis.includes('node:fs.writeFileSync')));
    // apitrace's own files (event files, the plugin, its transform cache) are not the app's behaviour
    assert.ok(
      !Object.keys(fp.files).some((p) => p.includes('.jsonl') || p.includes('node-plugin') || p.includes('/apitrace/transform/')),
      Object.keys(fp.files).join('\n'),
    );
    assert.ok(!Object.keys(fp.components).some((ref) => ref.includes('libapitrace')), Object.keys(fp.components).join('\n'));
  });

  it('apitrace fingerprint prints the same document, and -o writes it', async () => {
    const printed = await runProgram(process.execPath, [CLI, 'fingerprint', runs[1]!], { env: cleanEnv() });
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, readFileSync(join(runs[1]!, 'fingerprint.json'), 'utf8'));
    const out = join(work, 'baseline.json');
    const written = await runProgram(process.execPath, [CLI, 'fingerprint', runs[1]!, '-o', out], { env: cleanEnv() });
    assert.equal(written.status, 0, written.stderr);
    assert.equal(readFileSync(out, 'utf8'), printed.stdout);
    const missing = await runProgram(process.execPath, [CLI, 'fingerprint', join(work, 'nothing-here')], { env: cleanEnv() });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^apitrace: /);
  });
});
