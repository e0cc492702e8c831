// apitrace's version is set in one place, the root package.json (scripts/apitrace-version.mjs);
// the emitters record it (checked on real runs in emitters.e2e.test.ts) and everything else that
// states it must agree: the CLI, and the packages' manifests for npm and Maven.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from '../support/paths.js';
import { runProgram } from '../support/processes.js';

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Record<string, unknown>;
const APITRACE_VERSION = readJson('package.json').version as string;

/** The project's own <version> (the first one after its artifactId, not a parent's or a plugin's). */
function pomVersion(path: string): string | undefined {
  const pom = readFileSync(join(REPO_ROOT, path), 'utf8').replace(/<parent>[\s\S]*?<\/parent>/, '');
  return /<artifactId>[^<]*<\/artifactId>\s*<version>([^<]*)<\/version>/.exec(pom)?.[1];
}

describe('one apitrace version (end to end)', () => {
  it('is a version', () => {
    assert.match(APITRACE_VERSION, /^\d+\.\d+\.\d+/);
  });

  it('is what apitrace --version prints', async () => {
    const r = await runProgram(process.execPath, [CLI, '--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), APITRACE_VERSION);
  });

  it('is what the npm packages and the Maven modules of apitrace declare', () => {
    for (const pkg of ['packages/node-plugin/package.json', 'packages/core/package.json']) assert.equal(readJson(pkg).version, APITRACE_VERSION, pkg);
    const coreDeps = readJson('packages/core/package.json').dependencies as Record<string, string>;
    assert.equal(coreDeps['@apitrace/node-plugin'], APITRACE_VERSION, 'the core depends on the plugin of its own version');
    for (const pom of ['pom.xml', 'packages/jvm-agent/pom.xml']) assert.equal(pomVersion(pom), APITRACE_VERSION, pom);
  });
});
