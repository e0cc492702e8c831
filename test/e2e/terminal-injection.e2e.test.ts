// Escape sequences, bidirectional overrides and line breaks from an observed program (its argv,
// the notices its emitters write) reach the person reading apitrace's output only as visible
// escapes: nothing apitrace prints can retitle the terminal, move the cursor, reorder a line
// or forge one of its own.
import { strict as assert } from 'node:assert';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const TITLE = '\x1b]0;pwned\x07';
const RTL = '\u202e';
// raw control, bidi and line-separator characters: none may reach the terminal
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const apitrace = (args: string[], cwd?: string) => runProgram(process.execPath, [CLI, ...args], { env: cleanEnv(), ...(cwd ? { cwd } : {}) });

function assertNoRawControls(output: string): void {
  const raw = RAW.exec(output);
  assert.equal(raw, null, `raw U+${raw?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} in ${JSON.stringify(output)}`);
}

describe('hostile text on the terminal (end to end)', function () {
  this.timeout(60_000);

  it('apitrace run shows an argv with escape sequences, bidi overrides and newlines as escapes', async () => {
    const cwd = tempDir('hostile-argv');
    const r = await apitrace(['run', '--', 'node', '-e', '0', TITLE, `${RTL}gpj.exe`, 'one\nFORGED line'], cwd);
    assert.equal(r.status, 0, r.stderr);
    assertNoRawControls(r.stdout + r.stderr);
    assert.ok(r.stderr.includes("'\\x1b]0;pwned\\x07' '\\u202egpj.exe' 'one\\nFORGED line'"), r.stderr);
    assert.doesNotMatch(r.stderr, /^FORGED/m);
  });

  it('apitrace report shows a notice from an event file with escape sequences as escapes, on its own line', async () => {
    const dir = join(tempDir('hostile-notice'), 'run');
    const made = await apitrace(['run', '--out', dir, '--', 'sh', '-c', 'exit 0']);
    assert.equal(made.status, 0, made.stderr);
    const file = join(
      dir,
      readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()[0]!,
    );
    const notice = { kind: 'notice', level: 'warn', code: 'lost', message: `\x1b[2J\x1b[Hall clear${RTL}\r\nerror: FORGED`, subject: `/tmp/${TITLE}` };
    appendFileSync(file, `${JSON.stringify(notice)}\n`);

    const r = await apitrace(['report', dir]);
    assert.equal(r.status, 0, r.stderr);
    assertNoRawControls(r.stdout + r.stderr);
    assert.match(r.stdout, /^ {4}warn: \S+\.jsonl:\d+: lost: \\x1b\[2J\\x1b\[Hall clear\\u202e\\r\\nerror: FORGED \(\/tmp\/\\x1b\]0;pwned\\x07\)$/m);
    assert.doesNotMatch(r.stdout, /^error: FORGED/m);
  });

  it('an error line quoting a hostile path stays one line of escapes', async () => {
    const r = await apitrace(['report', `/nonexistent/${TITLE}\nFORGED`]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'apitrace: /nonexistent/\\x1b]0;pwned\\x07\\nFORGED: no such directory\n');

    const usage = await apitrace(['report', `--x${TITLE}`]);
    assert.equal(usage.status, 2);
    assert.equal(usage.stderr, "apitrace: unknown option '--x\\x1b]0;pwned\\x07'\n");
  });

  it('apitrace diff and findings print paths and programs from event files as escapes', async () => {
    const work = tempDir('hostile-diff');
    const base = join(work, 'base');
    const head = join(work, 'head');
    for (const [dir, script] of [
      [base, 'exit 0'],
      [head, `cat '/tmp/${TITLE}${RTL}' 2>/dev/null; exit 0`],
    ] as const) {
      const made = await apitrace(['run', '--out', dir, '--', 'sh', '-c', script]);
      assert.equal(made.status, 0, made.stderr);
      assertNoRawControls(made.stderr);
    }
    const diff = await apitrace(['diff', base, head]);
    assert.equal(diff.status, 0, diff.stderr);
    assertNoRawControls(diff.stdout + diff.stderr);
    assert.ok(diff.stdout.includes('\\x1b]0;pwned\\x07\\u202e'), diff.stdout);

    const findings = await apitrace(['findings', head]);
    assert.equal(findings.status, 0, findings.stderr);
    assertNoRawControls(findings.stdout + findings.stderr);
  });
});
