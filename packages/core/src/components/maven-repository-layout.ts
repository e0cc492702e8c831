// A jar loaded from a Maven repository (~/.m2/repository, /usr/share/maven-repo, any
// -Dmaven.repo.local) names its coordinates in its path:
//   <root>/<group as directories>/<artifact>/<version>/<artifact>-<version>[-<classifier>].jar
// The artifact and version directories must agree with the file name. Where the group ends
// and the root begins is read from the .pom Maven keeps beside every jar it resolves (its
// groupId, or its parent's, must be the directories above the artifact); without one, only
// below a known root (.m2/repository, /usr/share/maven-repo).
import { dirname, join } from 'node:path';
import { interpolate, isMavenId, isMavenVersion, pomLookup, readPom } from './pom-xml.js';

export interface RepositoryPath {
  /** the directories above the artifact directory, outermost first: the root's, then the group's */
  above: string[];
  artifact: string;
  /** the version directory: 1.0, 1.0-SNAPSHOT */
  baseVersion: string;
  /** the version the file name carries: baseVersion, or a timestamped snapshot (1.0-20250102.030405-6) */
  version: string;
  classifier?: string;
  extension: string;
}

export interface MavenArtifact {
  group: string;
  artifact: string;
  version: string;
  classifier?: string;
}

/** The parts of a repository path, when the artifact and version directories agree with the file name. */
export function parseRepositoryPath(path: string): RepositoryPath | undefined {
  // a nested jar (/app.jar!/BOOT-INF/lib/x.jar) is not in a repository, whatever its name
  if (!path.startsWith('/') || path.includes('!/')) return undefined;
  const parts = path.split('/');
  if (parts.length < 6) return undefined;
  const file = parts[parts.length - 1]!;
  const baseVersion = parts[parts.length - 2]!;
  const artifact = parts[parts.length - 3]!;
  // Debian's /usr/share/maven-repo also has a `debian` version directory: a placeholder, no version
  if (!isMavenId(artifact) || !isMavenVersion(baseVersion) || baseVersion === 'debian') return undefined;
  const extension = /\.(jar|war|zip)$/.exec(file)?.[1];
  if (!extension) return undefined;
  const stem = file.slice(0, -(extension.length + 1));
  if (!stem.startsWith(`${artifact}-`)) return undefined;
  const rest = stem.slice(artifact.length + 1);
  let version: string | undefined;
  if (rest === baseVersion || rest.startsWith(`${baseVersion}-`)) {
    version = baseVersion;
  } else if (baseVersion.endsWith('-SNAPSHOT')) {
    const base = baseVersion.slice(0, -'-SNAPSHOT'.length);
    if (rest.startsWith(`${base}-`)) version = /^\d{8}\.\d{6}-\d+/.exec(rest.slice(base.length + 1))?.[0];
    if (version) version = `${base}-${version}`;
  }
  if (!version) return undefined;
  const tail = rest.slice(version.length);
  if (tail !== '' && (!tail.startsWith('-') || !isMavenId(tail.slice(1)))) return undefined;
  return {
    above: parts.slice(1, -3),
    artifact,
    baseVersion,
    version,
    extension,
    ...(tail === '' ? {} : { classifier: tail.slice(1) }),
  };
}

/** Repository roots whose place in a path is certain without a .pom beside the jar. */
const KNOWN_ROOTS: readonly (readonly string[])[] = [
  ['.m2', 'repository'],
  ['usr', 'share', 'maven-repo'],
];

/** The coordinates of a jar in a repository layout, or undefined when its path does not name them for certain. */
export function artifactFromRepositoryPath(path: string): MavenArtifact | undefined {
  const layout = parseRepositoryPath(path);
  if (!layout) return undefined;
  const group = groupFromPomBeside(dirname(path), layout) ?? groupBelowKnownRoot(layout.above);
  if (!group) return undefined;
  return { group, artifact: layout.artifact, version: layout.version, ...(layout.classifier ? { classifier: layout.classifier } : {}) };
}

function groupFromPomBeside(dir: string, layout: RepositoryPath): string | undefined {
  for (const name of new Set([`${layout.artifact}-${layout.version}.pom`, `${layout.artifact}-${layout.baseVersion}.pom`])) {
    let pom;
    try {
      pom = readPom(join(dir, name));
    } catch {
      continue;
    }
    const lookup = pomLookup([pom]);
    const resolve = (value: string | undefined): string | undefined => (value === undefined ? undefined : interpolate(value, lookup));
    // a pom of another artifact or version makes nothing here certain
    if (resolve(pom.artifactId) !== layout.artifact) return undefined;
    const version = resolve(pom.version ?? pom.parent?.version);
    if (version !== undefined && version !== layout.baseVersion && version !== layout.version) return undefined;
    const group = resolve(pom.groupId ?? pom.parent?.groupId);
    return group !== undefined && isGroupOf(group, layout.above) ? group : undefined;
  }
  return undefined;
}

/** The group's segments are the last directories above the artifact directory. */
function isGroupOf(group: string, above: readonly string[]): boolean {
  if (!isMavenId(group)) return false;
  const segments = group.split('.');
  return segments.every((s) => s !== '') && segments.length <= above.length && above.slice(-segments.length).join('.') === group;
}

function groupBelowKnownRoot(above: readonly string[]): string | undefined {
  for (const root of KNOWN_ROOTS) {
    for (let i = above.length - root.length - 1; i >= 0; i--) {
      if (!root.every((d, j) => above[i + j] === d)) continue;
      const segments = above.slice(i + root.length);
      if (segments.length === 0 || segments.some((s) => s.includes('.') || !isMavenId(s))) return undefined;
      return segments.join('.');
    }
  }
  return undefined;
}
