// Run by the JVM agent's Maven build (exec-maven-plugin, generate-sources): writes the Java
// the agent must not keep by hand, under target/generated-sources:
// - ApiCategory, the enum of API categories of packages/core/schema/events.schema.json, as the
//   TypeScript types are generated from it (generate-from-schema.mjs);
// - ApitraceVersion, the version from the root package.json (apitrace-version.mjs), after
//   checking that the pom's version, which Maven puts in the jar's manifest, is the same.
// A file is rewritten only when its text changed, so Maven's incremental compile stays quiet.
// Usage: node generate-java-sources.mjs <output source root> <pom version>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apitraceVersion, ROOT_PACKAGE_JSON } from './apitrace-version.mjs';

const schemaPath = fileURLToPath(new URL('../packages/core/schema/events.schema.json', import.meta.url));
const PACKAGE = 'dev.apitrace.agent';
const banner = (from) => `// Generated from ${from} by scripts/generate-java-sources.mjs. Do not edit.\n`;

function writeIfChanged(path, text) {
  let old;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== text) writeFileSync(path, text);
}

function categoryEnum() {
  const categories = JSON.parse(readFileSync(schemaPath, 'utf8')).definitions.Category.enum;
  const constants = categories.map((c) => {
    if (!/^[a-z][a-z0-9_]*$/.test(c)) throw new Error(`apitrace: category ${JSON.stringify(c)} in ${schemaPath} is not a Java identifier`);
    return `    ${c.toUpperCase()}(${JSON.stringify(c)})`;
  });
  return `${banner('packages/core/schema/events.schema.json')}package ${PACKAGE};

/** The API categories of the event contract (definitions.Category), with their names in records. */
enum ApiCategory {
${constants.join(',\n')};

    /** The category as records name it. */
    final String json;

    ApiCategory(String json) {
        this.json = json;
    }
}
`;
}

function versionClass(version) {
  return `${banner('the root package.json')}package ${PACKAGE};

/** apitrace's version, recorded as emitter.version. */
final class ApitraceVersion {
    static final String VERSION = ${JSON.stringify(version)};

    private ApitraceVersion() {
    }
}
`;
}

const [outRoot, pomVersion] = process.argv.slice(2);
if (!outRoot || !pomVersion) {
  console.error('usage: node generate-java-sources.mjs <output source root> <pom version>');
  process.exit(2);
}
const version = apitraceVersion();
if (pomVersion !== version) {
  console.error(`apitrace: the JVM agent's pom.xml version ${pomVersion} differs from ${ROOT_PACKAGE_JSON}'s ${version} (set the same version in both)`);
  process.exit(1);
}
const dir = join(outRoot, ...PACKAGE.split('.'));
mkdirSync(dir, { recursive: true });
writeIfChanged(join(dir, 'ApiCategory.java'), categoryEnum());
writeIfChanged(join(dir, 'ApitraceVersion.java'), versionClass(version));
