// report.html in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// the page renders its sections and pictures, a path holding <script> shows as text and does
// not run, and the page asks the network for nothing. The test takes a screenshot.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CLI, FIXTURES, REPO_ROOT } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps calling home over the closed network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const HOSTILE = '<script>window.__apitracePwned=1</script>.txt';

describe('report.html in headless Chromium (end to end)', function () {
  this.timeout(180_000);
  const work = tempDir('report');
  const runDir = join(work, 'run');
  after(() => rmSync(work, { recursive: true, force: true }));

  before(async () => {
    const scratch = join(work, 'scratch');
    mkdirSync(scratch);
    const r = await runProgram(process.execPath, [CLI, 'run', '--out', runDir, '--', 'node', join(FIXTURES, 'report-app', 'app.mjs'), scratch], {
      env: cleanEnv(),
      cwd: REPO_ROOT,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'token true true\n');
  });

  it('is one file with no script and no external reference, and escapes what came from the events', () => {
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.ok(html.includes('&lt;script&gt;window.__apitracePwned=1&lt;/script&gt;.txt'), 'the hostile path, escaped');
  });

  it('apitrace report --html writes the same page for an existing run', async () => {
    const out = join(work, 'again.html');
    const r = await runProgram(process.execPath, [CLI, 'report', runDir, '--html', out], { env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(runDir, 'report.html'), 'utf8'));
  });

  it('renders in Chromium: sections, pictures, the finding and its stack, the hostile path as text; nothing runs, nothing is fetched', async function () {
    if (!existsSync(CHROMIUM)) {
      // npm install (scripts/setup-system.mjs) installs it when run as root with apt-get
      this.test!.title += ` (skipped: ${CHROMIUM} is absent; as root, npm install or apt-get install chromium provides it)`;
      this.skip();
    }
    const profile = join(work, 'chromium-profile');
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const reportUrl = pathToFileURL(join(runDir, 'report.html')).href;
      await page.goto(reportUrl);
      // open every collapsed section so its text is visible
      await page.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
      const screenshot = join(work, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(statSync(screenshot).size > 20_000, `screenshot of ${statSync(screenshot).size} bytes`);

      const text = await page.innerText('body');
      for (const heading of [
        'apitrace report',
        'Findings (',
        'Process tree',
        'Components by usage state',
        'What each component used',
        'Web APIs',
        'Behaviour (fingerprint)',
      ]) {
        assert.ok(text.includes(heading), `visible text lacks ${heading}`);
      }
      assert.ok(text.includes('Predictable random numbers used for a secret'), 'the weak-random finding');
      assert.ok(text.includes('makeResetToken'), 'its stack');
      assert.ok(text.includes(HOSTILE), 'the hostile path shows as text');
      assert.equal(await page.evaluate('typeof window.__apitracePwned'), 'undefined', 'the path did not run as script');
      assert.equal(await page.locator('script').count(), 0);
      assert.deepEqual(dialogs, []);
      // pictures: component usage bars and the process tree with node and uname in it
      assert.equal((await page.locator('svg[aria-label="components by usage state"] rect').count()) > 0, true);
      const tree = await page.locator('svg[aria-label="process tree"]').textContent();
      assert.match(tree ?? '', /node/);
      assert.match(tree ?? '', /uname/);
      assert.deepEqual(
        requested.filter((url) => url !== reportUrl),
        [],
        'the page fetched nothing else',
      );
    } finally {
      await context.close();
    }
  });
});
