// What a jar's MANIFEST.MF (as the JVM agent reports it in code_unit.manifest) proves about
// its Maven coordinates. Measured on the 128 jars of a real local repository: the version
// attributes match the artifact's version, but Implementation-Vendor-Id is the groupId only
// 9 times in 14 (Apache Commons writes `org.apache` for commons-io, commons-logging, ...),
// Implementation-Title is a display name ("JUnit", "ASM, a very small and fast ..."), and
// Bundle-SymbolicName is an OSGi name (org.objectweb.asm for org.ow2.asm:asm). So:
// - version: Implementation-Version, else Bundle-Version;
// - artifact: the file name, when it is `<artifact>-<version>[-<classifier>].jar` for that version;
// - group: Implementation-Vendor-Id, only when the Bundle-SymbolicName or the
//   Automatic-Module-Name is that same id or `<id>.<artifact>` (two attributes agreeing);
// all three or no Maven coordinates. With a version but no certain group the jar keeps a
// generic purl with its name, version and checksum.
import type { CodeUnit } from '../schema/events.generated.js';
import { isMavenId, isMavenVersion } from './pom-xml.js';

export type JarManifest = NonNullable<CodeUnit['manifest']>;

export type ManifestIdentity =
  | { maven: true; group: string; artifact: string; version: string; classifier?: string }
  | { maven: false; name: string; version: string };

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
  return { maven: false, name: stem, version: versions[0]! };
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
