// The version of apitrace has one source: the "version" of the root package.json. Every
// emitter and the CLI get it from there at build time: this script writes the TypeScript
// constants (run by build.mjs), the native shim's Makefile writes a header, and the JVM
// agent's Maven build writes a Java constant (scripts/generate-java-sources.mjs). Workspace
// package.json and pom.xml versions are declared for their tools and checked against it
// (test/e2e/one-version.e2e.test.ts; emitters.e2e.test.ts checks what each emitter records).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
export const ROOT_PACKAGE_JSON = fileURLToPath(new URL('package.json', root));

/** The root package.json's version. */
export function apitraceVersion() {
  const version = JSON.parse(readFileSync(ROOT_PACKAGE_JSON, 'utf8')).version;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/.test(version)) {
    throw new Error(`apitrace: no usable "version" in ${ROOT_PACKAGE_JSON}: ${JSON.stringify(version)} (set a semver version there)`);
  }
  return version;
}

/** Where the TypeScript packages get the version from (gitignored, like events.generated.ts). */
export const VERSION_MODULES = ['packages/node-plugin/src/version.generated.ts', 'packages/core/src/version.generated.ts'].map((p) =>
  fileURLToPath(new URL(p, root)),
);

/** Writes the TypeScript constants whose text changed; returns the paths written. */
export function generateVersionModules() {
  const text = `// Generated from the root package.json by scripts/apitrace-version.mjs. Do not edit.\nexport const APITRACE_VERSION = '${apitraceVersion()}';\n`;
  const written = [];
  for (const path of VERSION_MODULES) {
    let old;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === text) continue; // unchanged: tsc -b sees nothing new
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--print') console.log(apitraceVersion());
  else console.log(generateVersionModules());
}
