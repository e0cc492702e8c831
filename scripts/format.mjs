// `npm run format`: rewrites the sources in the repository's style: TypeScript and JavaScript
// with prettier (.prettierrc), C with clang-format (.clang-format), Java with spotless and
// palantir-java-format (pom.xml). `npm run lint` (--check): checks the same without writing,
// and runs ESLint (eslint.config.js). Each tool is one check; the tools run side by side and
// the last line is `lint: N passed, N failed`. Exits non-zero when a check failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const bin = (name) => join(root, 'node_modules/.bin', name);

const JS_FILES = '**/*.{ts,mts,cts,js,mjs,cjs}'; // prettier skips .gitignore and .prettierignore
// The C that clang-format keeps in shape. Not test/fixtures/findings: its line numbers are
// compared by the findings tests.
const C_DIRS = ['packages/native-shim/src', 'packages/native-shim/test', 'examples/native/src', 'bench/native'];

function cFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'build' ? [] : cFiles(path);
    return /\.[ch]$/.test(entry.name) ? [relative(root, join(root, path))] : [];
  });
}

const clangFormat = createRequire(import.meta.url)('clang-format-node').clangFormatPath;
const spotless = (goal) => ['mvn', ['-B', '-ntp', '-q', '-Dstyle.color=never', '-N', `com.diffplug.spotless:spotless-maven-plugin:${goal}`]];
const c = C_DIRS.flatMap(cFiles).sort();

/** clang-format quotes every misplaced line: one line per file is enough to act on. */
function clangFormatSummary(output) {
  const perFile = new Map();
  for (const m of output.matchAll(/^(.+?):\d+:\d+: error: code should be clang-formatted/gm)) perFile.set(m[1], (perFile.get(m[1]) ?? 0) + 1);
  if (perFile.size === 0) return output;
  return [...perFile].map(([file, n]) => `${file}: ${n} place(s) not clang-formatted`).join('\n');
}

const tools = check
  ? [
      { name: 'prettier (TypeScript, JavaScript)', command: [bin('prettier'), ['--check', '--log-level', 'warn', JS_FILES]] },
      { name: 'eslint', command: [bin('eslint'), ['--max-warnings', '0', '.']] },
      { name: 'clang-format (C)', command: [clangFormat, ['--dry-run', '--Werror', ...c]], summarise: clangFormatSummary },
      { name: 'spotless (Java)', command: spotless('check') },
    ]
  : [
      { name: 'prettier (TypeScript, JavaScript)', command: [bin('prettier'), ['--write', '--log-level', 'warn', JS_FILES]] },
      { name: 'clang-format (C)', command: [clangFormat, ['-i', ...c]] },
      { name: 'spotless (Java)', command: spotless('apply') },
    ];

/** Runs a command with its output kept, to be printed whole once it ends. */
function run(command, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const done = (status) => resolve({ status, output, seconds: ((Date.now() - started) / 1000).toFixed(1) });
    child.on('error', (err) => {
      output += `${command}: ${err.message}\n`;
      done(127);
    });
    child.on('close', (status) => done(status ?? 1));
  });
}

const results = await Promise.all(tools.map((tool) => run(...tool.command)));
let failed = 0;
tools.forEach((tool, i) => {
  const { status, output, seconds } = results[i];
  // Maven prints stray colour resets even in batch mode.
  const text = (tool.summarise ?? String)(output.replaceAll(/\x1b\[[0-9;]*m/g, '')).trim();
  if (text) console.log(text);
  if (status !== 0) failed++;
  console.log(`${status === 0 ? 'ok' : 'FAILED'}: ${tool.name} (${seconds}s)`);
});
if (check && failed > 0) console.log('npm run format rewrites the sources in the expected format; ESLint problems are fixed by hand.');
console.log(`${check ? 'lint' : 'format'}: ${tools.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
