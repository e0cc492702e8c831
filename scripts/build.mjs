// `npm install` (prepare) and `npm run build`: builds every package. Each step is
// incremental, so a second run with nothing changed takes a few seconds.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVersionModules } from './apitrace-version.mjs';
import { generateVisitorKeys } from './babel-visitor-keys.mjs';
import { generateFromSchema } from './generate-from-schema.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Everything Maven builds from the root pom.xml: the agent, the example application and
// the usage-state and identity fixtures, each with the jar that shows it was built.
const mavenProjects = [
  { dir: 'packages/jvm-agent', output: 'packages/jvm-agent/target/apitrace.jar' },
  { dir: 'examples/java-app', output: 'examples/java-app/target/java-app.jar' },
  { dir: 'test/fixtures/java-usage-states', output: 'test/fixtures/java-usage-states/app/target/usage-app.jar' },
  { dir: 'test/fixtures/java-identity', output: 'test/fixtures/java-identity/target/java-identity.jar' },
];

function step(name, fn) {
  const started = Date.now();
  const detail = fn();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`build: ${name}: ${detail ?? 'ok'} (${seconds}s)`);
}

// Maven 3.8 prints stray colour resets even in batch mode: output is passed through without ANSI codes.
function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const strip = (text) => (text ?? '').replaceAll(/\x1b\[[0-9;]*m/g, '');
  process.stdout.write(strip(result.stdout));
  process.stderr.write(strip(result.stderr));
  if (result.error) {
    console.error(`build: cannot run ${command}: ${result.error.message} (is it installed? see README.md)`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`build: ${command} ${args.join(' ')} failed with status ${result.status}`);
    process.exit(1);
  }
}

function newestMtime(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'target') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

// Maven takes seconds just to start: only call it when a source or pom is newer than what it built.
function mavenOutputsAreCurrent() {
  // the agent also generates sources from the version and the event schema
  const rootPom = Math.max(
    ...['pom.xml', 'package.json', 'packages/core/schema/events.schema.json', 'scripts/generate-java-sources.mjs'].map((p) => newestMtime(join(root, p))),
  );
  return mavenProjects.every(({ dir, output }) => {
    const built = statSync(join(root, output), { throwIfNoEntry: false });
    return built !== undefined && built.mtimeMs >= Math.max(rootPom, newestMtime(join(root, dir)));
  });
}

const generated = await generateFromSchema();
step('types and validator from the event schema', () => (generated.length ? `generated ${generated.join(', ')}` : 'current'));
step('version constants from the root package.json', () => (generateVersionModules().length ? 'generated' : 'current'));
step("the node plugin's walk order from @babel/types", () => (generateVisitorKeys().length ? 'generated' : 'current'));
step('typescript', () => run(join(root, 'node_modules/.bin/tsc'), ['-b', 'tsconfig.json']));
step('native shim', () => run('make', ['-s', '-C', 'packages/native-shim']));
step('jvm agent, java example and fixture (maven)', () => {
  if (mavenOutputsAreCurrent()) return 'current';
  run('mvn', ['-B', '-q', '-ntp', '-Dstyle.color=never', '-f', 'pom.xml', 'package', '-DskipTests']);
  return 'built';
});
step('native example', () => run('make', ['-s', '-C', 'examples/native']));
step('polyglot example jar', () => run('make', ['-s', '-C', 'examples/polyglot']));
