// What a jar's MANIFEST.MF (as the JVM agent reports it in code_unit.manifest) proves about
// its Maven coordinates. Measured on the 128 jars of a real local repository: the version
// attributes match the artifact's version, but Implementation-Vendor-Id is the groupId only
// 9 times in 14 (Apache Commons writes `org.apache` for commons-io, commons-logging, ...),
// Implementation-Title is a display name ("JUnit", "ASM, a very small and fast ..."), and
// Bundle-SymbolicName is an OSGi name (org.objectweb.asm for org.ow2.asm:asm). So:
// - version: Implementation-Version, else Bundle-Version, that the file name carries; with a
//   file name that carries none, Implementation-Version alone, unless the name looks versioned;
// - artifact: the file name, when it is `<artifact>-<version>[-<classifier>].jar` for that version;
// - group: Implementation-Vendor-Id, only when the Bundle-SymbolicName or the
//   Automatic-Module-Name is that same id or `<id>.<artifact>` (two attributes agreeing);
// all three or no Maven coordinates. With a version but no certain group the jar keeps a
// generic purl with its name, version and checksum.
import type { CodeUnit } from '../schema/events.generated.js';
import { isMavenId, isMavenVersion } from './pom-xml.js';

export type JarManifest = NonNullable<CodeUnit['manifest']>;

export type ManifestIdentity =
  { maven: true; group: string; artifact: string; version: string; classifier?: string } | { maven: false; name: string; version: string };

export function identityFromManifest(fileName: string, manifest: JarManifest | undefined): ManifestIdentity | undefined {
  const versions = [manifest?.implementation_version, manifest?.bundle_version].filter(isMavenVersion);
  if (!manifest || versions.length === 0) return undefined;
  const stem = fileName.replace(/\.(jar|war|zip)$/, '');
  for (const version of versions) {
    const named = nameCarrying(stem, version);
    if (!named) continue;
    const group = manifest.implementation_vendor_id;
    const agreeing = new Set([group, `${group}.${named.artifact}`]);
    if (isMavenId(group) && [manifest.bundle_symbolic_name, manifest.automatic_module_name].some((name) => name !== undefined && agreeing.has(name))) {
      return { maven: true, group, artifact: named.artifact, version, ...(named.classifier ? { classifier: named.classifier } : {}) };
    }
    return { maven: false, name: named.artifact, version };
  }
  // A file name that carries no manifest version: Bundle-Version alone is often rewritten for
  // OSGi (33.8.0.jre for guava 33.8.0-jre), and a name that looks versioned but disagrees
  // (commons-beanutils-1.7.0.jar says Implementation-Version 1.6) leaves the version unknown.
  const implementationVersion = manifest.implementation_version;
  if (!isMavenVersion(implementationVersion) || /-\d/.test(stem)) return undefined;
  return { maven: false, name: stem, version: implementationVersion };
}

/** `<artifact>-<version>[-<classifier>]`: the artifact and classifier, when the file name carries that version. */
function nameCarrying(stem: string, version: string): { artifact: string; classifier?: string } | undefined {
  const at = stem.indexOf(`-${version}`);
  if (at <= 0) return undefined;
  const artifact = stem.slice(0, at);
  const tail = stem.slice(at + version.length + 1);
  if (!isMavenId(artifact) || (tail !== '' && (!tail.startsWith('-') || !isMavenId(tail.slice(1))))) return undefined;
  return { artifact, ...(tail ? { classifier: tail.slice(1) } : {}) };
}
