// How right the Maven identity rules are over a real local repository, where each jar's path
// is the truth: the repository-layout rule on every jar where it lies, and the manifest rule
// on each jar as if it had been copied out of the repository (file name and manifest only).
// Reads each manifest's main section with `unzip -p`, as the JVM agent reports it.
// Usage: node bench/maven-identity.mjs [repository root, default ~/.m2/repository]
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';

const core = new URL('../packages/core/dist/src/components/', import.meta.url);
const { artifactFromRepositoryPath } = await import(new URL('maven-repository-layout.js', core).href);
const { identityFromManifest } = await import(new URL('jar-manifest.js', core).href);

const root = process.argv[2] ?? join(homedir(), '.m2', 'repository');
const ATTRIBUTES = {
  'implementation-version': 'implementation_version',
  'implementation-vendor-id': 'implementation_vendor_id',
  'bundle-symbolicname': 'bundle_symbolic_name',
  'bundle-version': 'bundle_version',
  'automatic-module-name': 'automatic_module_name',
};

function jars(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jars(path);
    return e.name.endsWith('.jar') ? [path] : [];
  });
}

function manifestOf(jar) {
  let text;
  try {
    text = execFileSync('unzip', ['-p', jar, 'META-INF/MANIFEST.MF'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return {};
  }
  const main = text.replaceAll('\r\n', '\n').replaceAll('\r', '\n').replaceAll('\n ', '').split('\n\n')[0];
  const found = {};
  for (const line of main.split('\n')) {
    const colon = line.indexOf(': ');
    const key = ATTRIBUTES[line.slice(0, colon).toLowerCase()];
    if (colon <= 0 || !key || key in found) continue;
    let value = line.slice(colon + 2).trim();
    if (key === 'bundle_symbolic_name') value = value.split(';')[0].trim();
    if (value && value.length <= 256) found[key] = value;
  }
  return found;
}

const counts = {
  jars: 0,
  layoutRight: 0,
  layoutWrong: 0,
  layoutNone: 0,
  manifestMaven: 0,
  manifestMavenWrong: 0,
  nameVersion: 0,
  nameVersionWrong: 0,
  hashOnly: 0,
};
const wrong = [];
for (const jar of jars(root)) {
  const parts = relative(root, jar).split(sep);
  if (parts.length < 4) continue;
  const truth = { group: parts.slice(0, -3).join('.'), artifact: parts.at(-3), version: parts.at(-2) };
  if (truth.version === 'debian') continue;
  counts.jars++;
  const byLayout = artifactFromRepositoryPath(jar);
  if (!byLayout) counts.layoutNone++;
  else if (byLayout.group === truth.group && byLayout.artifact === truth.artifact && byLayout.version === truth.version) counts.layoutRight++;
  else {
    counts.layoutWrong++;
    wrong.push(`layout ${jar}: ${JSON.stringify(byLayout)}`);
  }
  const byManifest = identityFromManifest(parts.at(-1), manifestOf(jar));
  if (!byManifest) counts.hashOnly++;
  else if (byManifest.maven) {
    counts.manifestMaven++;
    if (byManifest.group !== truth.group || byManifest.artifact !== truth.artifact || byManifest.version !== truth.version) {
      counts.manifestMavenWrong++;
      wrong.push(`manifest ${jar}: ${JSON.stringify(byManifest)}`);
    }
  } else {
    counts.nameVersion++;
    if (byManifest.name !== truth.artifact || byManifest.version !== truth.version) {
      counts.nameVersionWrong++;
      wrong.push(`name+version ${jar}: ${JSON.stringify(byManifest)}`);
    }
  }
}
console.log(`${root}: ${counts.jars} jars`);
console.log(`in place, maven-repository-layout: ${counts.layoutRight} right, ${counts.layoutWrong} wrong, ${counts.layoutNone} not named`);
console.log(
  `copied out, manifest: ${counts.manifestMaven} Maven purls (${counts.manifestMavenWrong} wrong), ${counts.nameVersion} name and version (${counts.nameVersionWrong} wrong), ${counts.hashOnly} hash only`,
);
for (const line of wrong) console.log(`  ${line}`);
