// The Maven module a class directory belongs to: `<module>/target/classes` and
// `<module>/target/test-classes` are built from `<module>/pom.xml`. Its groupId and version
// default to its parent's; `${...}` in them is resolved from its properties and those of the
// parent poms Maven itself would read from disk (relativePath, by default ../pom.xml, when
// that pom is the parent named).
import { lstatSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { interpolate, isMavenId, isMavenVersion, pomLookup, readPom, type PomDeclaration } from './pom-xml.js';

export interface MavenModule {
  group: string;
  artifact: string;
  /** undefined when the pom's version is a property no pom on disk defines (`${revision}` from the command line) */
  version?: string;
  pom: string;
}

/** target/classes -> target -> the module: a pom.xml further up is another project's. */
const MAX_LEVELS_UP = 3;
const MAX_PARENTS = 8;

export function moduleOfClassDirectory(dir: string): MavenModule | undefined {
  if (!isAbsolute(dir) || dir.includes('!/')) return undefined;
  let current = dir;
  for (let level = 0; level < MAX_LEVELS_UP; level++) {
    const up = dirname(current);
    if (up === current) return undefined;
    current = up;
    const pom = join(current, 'pom.xml');
    // the nearest pom.xml decides: one that cannot be read (a link, too big, no pom) names nothing
    if (lstatSync(pom, { throwIfNoEntry: false })) return moduleOfPom(pom);
  }
  return undefined;
}

export function moduleOfPom(path: string): MavenModule | undefined {
  let pom: PomDeclaration;
  try {
    pom = readPom(path);
  } catch {
    return undefined;
  }
  const lookup = pomLookup([pom, ...parentsOnDisk(path, pom)]);
  const resolved = (value: string | undefined): string | undefined => (value === undefined ? undefined : interpolate(value, lookup));
  const group = resolved(pom.groupId ?? pom.parent?.groupId);
  const artifact = resolved(pom.artifactId);
  const version = resolved(pom.version ?? pom.parent?.version);
  if (!isMavenId(group) || !isMavenId(artifact)) return undefined;
  return { group, artifact, ...(isMavenVersion(version) ? { version } : {}), pom: path };
}

/** The parent poms at their relativePath, nearest first, as long as each is the parent its child names. */
function parentsOnDisk(path: string, pom: PomDeclaration): PomDeclaration[] {
  const parents: PomDeclaration[] = [];
  let child = pom;
  let childPath = path;
  while (parents.length < MAX_PARENTS) {
    const ref = child.parent;
    if (!ref || ref.relativePath === '') break;
    let target = resolve(dirname(childPath), ref.relativePath ?? '../pom.xml');
    if (extname(target) !== '.xml') target = join(target, 'pom.xml');
    let parent: PomDeclaration;
    try {
      parent = readPom(target);
    } catch {
      break;
    }
    if (parent.artifactId !== ref.artifactId || (parent.groupId ?? parent.parent?.groupId) !== ref.groupId) break;
    parents.push(parent);
    child = parent;
    childPath = target;
  }
  return parents;
}
