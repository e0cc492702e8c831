// What a Maven pom.xml says about its own coordinates: groupId, artifactId, version, the parent
// they default to, and <properties> for `${...}` in them. The file is whatever lies next to a
// recorded path, so it is read as hostile: a regular file, no symbolic link, bounded in size;
// parsed by saxes, which never processes a DTD (a DOCTYPE is refused outright, so no entity
// beyond XML's five is ever expanded); values are bounded, and `${...}` substitution is
// bounded in depth and length.
import { SaxesParser } from 'saxes';
import { readRegularFile } from '../reader/untrusted-file.js';

/** A pom.xml larger than this is no pom a build tool writes (spring-boot-dependencies is ~150 KB). */
export const MAX_POM_BYTES = 4 * 1024 * 1024;
const MAX_VALUE_CHARS = 1024;
const MAX_PROPERTIES = 2000;
const MAX_INTERPOLATED_CHARS = 256;
const MAX_INTERPOLATION_ROUNDS = 8;

export interface PomParent {
  groupId?: string;
  artifactId?: string;
  version?: string;
  /** absent: Maven's default `../pom.xml`; empty: look the parent up in repositories only */
  relativePath?: string;
}

/** The coordinates as written, `${...}` not yet resolved. */
export interface PomDeclaration {
  groupId?: string;
  artifactId?: string;
  version?: string;
  parent?: PomParent;
  properties: Map<string, string>;
}

export class PomError extends Error {}

const FIELDS = new Set(['groupId', 'artifactId', 'version']);
const PARENT_FIELDS = new Set(['groupId', 'artifactId', 'version', 'relativePath']);

/** Parses the text of a pom.xml; throws PomError when it is not a well-formed pom without a DTD. */
export function parsePom(text: string): PomDeclaration {
  const declaration: PomDeclaration = { properties: new Map() };
  const parser = new SaxesParser();
  const stack: string[] = [];
  let collected: string | undefined;
  /** the value being collected is unusable: too long, or it holds an entity nobody defined */
  let overlong = false;
  let failure: string | undefined;
  parser.on('error', (err) => {
    // Real poms carry HTML entities in names (`Laugst&oslash;l` in plexus 1.0.4) and Maven
    // reads them. No DTD defines any here, so none is expanded: a value with one is dropped,
    // one elsewhere is ignored, any other error ends the parse.
    if (/undefined entity/.test(err.message)) overlong = true;
    else failure ??= err.message;
  });
  parser.on('doctype', () => {
    failure ??= 'has a DOCTYPE, which no pom needs and apitrace does not process';
  });
  parser.on('opentag', (tag) => {
    stack.push(tag.name);
    if (stack.length === 1 && tag.name !== 'project') failure ??= `its root element is <${tag.name}>, not <project>`;
    collected = isCollected(stack) ? '' : undefined;
    overlong = false;
  });
  const addText = (t: string): void => {
    if (collected === undefined || overlong) return;
    if (collected.length + t.length > MAX_VALUE_CHARS) overlong = true;
    else collected += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    if (collected !== undefined && !overlong && isCollected(stack)) store(declaration, stack, collected.trim());
    collected = undefined;
    stack.pop();
  });
  // saxes reports errors through the handler and goes on; a failure stops reading at once
  const CHUNK = 64 * 1024;
  for (let i = 0; i < text.length && failure === undefined; i += CHUNK) parser.write(text.slice(i, i + CHUNK));
  if (failure === undefined) parser.close();
  if (failure !== undefined) throw new PomError(failure);
  return declaration;
}

/** project/{groupId,artifactId,version}, project/parent/*, project/properties/*: nothing else is kept. */
function isCollected(stack: readonly string[]): boolean {
  if (stack.length === 2) return FIELDS.has(stack[1]!);
  if (stack.length === 3 && stack[1] === 'parent') return PARENT_FIELDS.has(stack[2]!);
  return stack.length === 3 && stack[1] === 'properties';
}

function store(declaration: PomDeclaration, stack: readonly string[], value: string): void {
  const name = stack[stack.length - 1]!;
  if (stack.length === 2) {
    declaration[name as 'groupId' | 'artifactId' | 'version'] = value;
  } else if (stack[1] === 'parent') {
    declaration.parent ??= {};
    declaration.parent[name as keyof PomParent] = value;
  } else if (declaration.properties.size < MAX_PROPERTIES) {
    declaration.properties.set(name, value);
  }
}

/** Reads and parses a pom.xml: a regular file that is no symbolic link, at most MAX_POM_BYTES. Throws. */
export function readPom(path: string): PomDeclaration {
  return parsePom(readRegularFile(path, MAX_POM_BYTES).toString('utf8'));
}

/**
 * `${name}` replaced from `lookup`, again while the result still has some (a property may name
 * another). Undefined when a name is unknown, the result grows past MAX_INTERPOLATED_CHARS
 * (`a=${b}${b}`, `b=${c}${c}`, ...), or it still has `${` after MAX_INTERPOLATION_ROUNDS.
 */
export function interpolate(value: string, lookup: (name: string) => string | undefined): string | undefined {
  let current = value;
  for (let round = 0; round < MAX_INTERPOLATION_ROUNDS; round++) {
    if (!current.includes('${')) return current;
    let unknown = false;
    current = current.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
      const replacement = lookup(name);
      if (replacement === undefined) unknown = true;
      return replacement ?? '';
    });
    if (unknown || current.length > MAX_INTERPOLATED_CHARS) return undefined;
  }
  return current.includes('${') ? undefined : current;
}

/** Maven's own pattern for groupId and artifactId. */
export const MAVEN_ID = /^[A-Za-z0-9_.-]+$/;
/** A version as Maven repositories name them: no separators, no whitespace, no leftover `${`. */
export const MAVEN_VERSION = /^[A-Za-z0-9][A-Za-z0-9_.+~-]*$/;

export function isMavenId(value: string | undefined): value is string {
  return value !== undefined && value.length <= 200 && MAVEN_ID.test(value);
}

export function isMavenVersion(value: string | undefined): value is string {
  return value !== undefined && value.length <= 128 && MAVEN_VERSION.test(value);
}

/**
 * What `${name}` means in a pom: its properties (the first declaration in `chain` wins: the
 * module, then its parents), and the project's own coordinates (`project.version`, the
 * deprecated `pom.version`, `project.parent.version`, ...).
 */
export function pomLookup(chain: readonly PomDeclaration[]): (name: string) => string | undefined {
  const project = chain[0];
  return (name) => {
    const builtin = /^(?:project|pom)\.(?:(parent)\.)?(groupId|artifactId|version)$/.exec(name) ?? /^(parent)\.(groupId|artifactId|version)$/.exec(name);
    if (builtin && project) {
      const [, parent, field] = builtin as unknown as [string, string | undefined, 'groupId' | 'artifactId' | 'version'];
      if (parent) return project.parent?.[field];
      if (field === 'artifactId') return project.artifactId;
      return project[field] ?? project.parent?.[field];
    }
    for (const pom of chain) {
      const value = pom.properties.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
