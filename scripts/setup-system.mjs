// `npm install` (prepare), before the build: installs the system packages the tests need and
// npm cannot provide. Today that is Chromium for the HTML report's browser test: playwright's
// browser download is unreachable here, so the test drives Debian's /usr/bin/chromium.
//
// It only acts as root on a machine with apt-get, and says what it installs; anywhere else it
// prints one line naming what is missing and leaves the system alone (the tests that need it
// skip and say why). APITRACE_SKIP_SYSTEM_SETUP=1 turns it off. `npm test` never runs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each package a test needs, and the file whose presence shows it is installed. */
const TEST_SYSTEM_PACKAGES = [
  { pkg: 'chromium', file: '/usr/bin/chromium', neededBy: 'the HTML report test in headless Chromium (test/e2e/report.e2e.test.ts)' },
];

function setUp() {
  const missing = TEST_SYSTEM_PACKAGES.filter((p) => !existsSync(p.file));
  if (missing.length === 0) return 'system packages for the tests: present';
  const names = missing.map((p) => p.pkg).join(' ');
  if (process.env.APITRACE_SKIP_SYSTEM_SETUP === '1') return `system packages for the tests: skipped (APITRACE_SKIP_SYSTEM_SETUP=1); missing: ${names}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return `system packages for the tests: skipped (needs root and apt-get); missing: ${names}, so ${missing.map((p) => p.neededBy).join(', ')} will skip`;
  }
  console.log(`setup: installing system packages the tests need: ${names} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.pkg)],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0)
      return `system packages for the tests: apt-get ${args[0]} failed (exit ${r.status ?? r.error?.message}); tests needing ${names} will skip`;
  }
  return `system packages for the tests: installed ${names}`;
}

console.log(`setup: ${setUp()}`);
