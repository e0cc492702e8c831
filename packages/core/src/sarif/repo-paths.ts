// Where the repository of a run is, and how a frame's file becomes a URI in SARIF: relative to
// the repository root (`%SRCROOT%`) when it lies inside, so code scanning can show the line;
// an absolute file URI otherwise. Java frames name only `Foo.java`: they are found in the
// repository by their package path (com/acme/Foo.java under any source root).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelFrame } from '../model/app-model.js';

/** The nearest directory at or above `dir` holding .git, else `dir` itself. */
export function repositoryRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dir;
  }
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.apitrace', 'target', 'dist', 'build']);
const MAX_SOURCE_FILES = 50_000;

export interface ArtifactUri {
  uri: string;
  /** `%SRCROOT%` for repository-relative URIs */
  uriBaseId?: string;
}

export class RepoPaths {
  private javaSources: Map<string, string[]> | undefined;

  constructor(readonly root: string) {}

  /** file:///root/ (with the trailing slash SARIF wants for a base) */
  get rootUri(): string {
    return `${pathToFileURL(this.root).href.replace(/\/?$/, '/')}`;
  }

  private relativeUri(path: string): string | undefined {
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return undefined;
    return rel.split(sep).map(encodeURIComponent).join('/');
  }

  /** A frame's source as an artifact URI, or undefined when it names no file. */
  artifactOf(frame: ModelFrame): ArtifactUri | undefined {
    const file = frame.file;
    if (file && file.startsWith('/')) {
      const rel = this.relativeUri(file);
      return rel ? { uri: rel, uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(file).href };
    }
    if (file && frame.lang === 'java') {
      const found = this.findJavaSource(frame.fn, file);
      if (found) return { uri: found, uriBaseId: '%SRCROOT%' };
    }
    if (file && /^[a-z][a-z0-9+.-]*:/.test(file)) return { uri: file };
    if (frame.unit && frame.unit.startsWith('/')) {
      const rel = this.relativeUri(frame.unit);
      return rel ? { uri: rel, uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(frame.unit).href };
    }
    return undefined;
  }

  /** `com.acme.Foo.bar` + `Foo.java` -> `src/main/java/com/acme/Foo.java` when the repository has it. */
  private findJavaSource(fn: string, file: string): string | undefined {
    const parts = fn.split('.');
    parts.pop();
    parts.pop();
    const suffix = [...parts, file].join('/');
    const candidates = this.javaSourceIndex().get(file) ?? [];
    return candidates.find((c) => c === suffix || c.endsWith(`/${suffix}`));
  }

  private javaSourceIndex(): Map<string, string[]> {
    if (this.javaSources) return this.javaSources;
    const index = new Map<string, string[]>();
    let seen = 0;
    const walk = (dir: string, rel: string): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (seen++ > MAX_SOURCE_FILES) return;
        if (e.isDirectory()) {
          if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
        } else if (e.name.endsWith('.java')) {
          const list = index.get(e.name) ?? [];
          list.push(rel ? `${rel}/${e.name}` : e.name);
          index.set(e.name, list);
        }
      }
    };
    walk(this.root, '');
    for (const list of index.values()) list.sort();
    this.javaSources = index;
    return index;
  }
}
