// Whether the functions an advisory names ran, from what the runs observed of the component:
//   npm: `<package>.<name>` (GitHub's form, `lodash.template`), a bare `<name>`, or
//     `<package>/<module path>#<name>` for one module; it ran when the merged function inventory
//     has a function of that name (or `<Class>.<name>`) that ran, or when code outside the
//     package called the export `npm:<package>.<name>`;
//   Maven: `<class>#<method>`, `<class>::<method>` or `<class>.<method>` against the inventory's
//     classes and methods (the agent lists the classes of a jar that were never loaded too, with
//     no method run, so a class absent from the inventory is unknown, not "never loaded");
//   native (deb): a symbol name; it ran when the shim saw it run (called through an intercepted
//     entry point, or calling one, named from the library's symbol tables). The shim sees only
//     those, so a symbol not seen is not located and the verdict stays at library level;
//   Go: `<import path>.<symbol>`: apitrace identifies no Go packages, so never located.
// A function is "located" when the inventory shows it; only located functions that did not run
// can support a not_affected verdict.
import type { ObservedComponent, ObservedFunction, ObservedStack } from './observation.js';

export type FunctionOutcome =
  | { spec: string; state: 'ran'; hits: number; where?: string; first?: ObservedStack }
  | { spec: string; state: 'not_ran'; where: string[] }
  | { spec: string; state: 'not_located' };

const MAX_WHERE = 4;

function whereOf(f: ObservedFunction): string {
  const scope = f.scope ? `${f.scope}${f.line === undefined ? '' : `:${f.line}`} ` : '';
  return `${scope}${f.name}`.trim();
}

function outcomeOf(spec: string, matches: ObservedFunction[], first?: ObservedStack, exportCalls = 0): FunctionOutcome {
  const ran = matches.filter((f) => f.ran);
  if (ran.length > 0 || exportCalls > 0) {
    const hits = Math.max(
      ran.reduce((n, f) => n + (f.hits > 0 ? f.hits : 1), 0),
      exportCalls,
    );
    return { spec, state: 'ran', hits, ...(ran[0] ? { where: whereOf(ran[0]) } : {}), ...(first ? { first } : {}) };
  }
  if (matches.length > 0) return { spec, state: 'not_ran', where: matches.slice(0, MAX_WHERE).map(whereOf) };
  return { spec, state: 'not_located' };
}

function npmOutcome(spec: string, c: ObservedComponent): FunctionOutcome {
  // `<package>/<module path>#<name>`: only that module's functions of that name
  const pinned = spec.startsWith(`${c.key.name}/`) ? /^([^#]+)#(.+)$/.exec(spec.slice(c.key.name.length + 1)) : null;
  const module = pinned?.[1];
  const path = pinned ? pinned[2]! : spec.startsWith(`${c.key.name}.`) ? spec.slice(c.key.name.length + 1) : spec;
  const calls = c.exportCalls.get(`npm:${c.key.name}.${path}`);
  const matches = (c.functions ?? []).filter((f) => (module === undefined || f.scope === module) && (f.name === path || f.name.endsWith(`.${path}`)));
  return outcomeOf(spec, matches, calls?.first, calls?.count ?? 0);
}

function mavenOutcome(spec: string, c: ObservedComponent): FunctionOutcome {
  const split = /^(.+?)(?:#|::)([^#:]+)$/.exec(spec) ?? /^(.+)\.([^.]+)$/.exec(spec);
  if (!split) return { spec, state: 'not_located' };
  const className = split[1]!.replace(/\//g, '.');
  const method = split[2]!;
  return outcomeOf(
    spec,
    (c.functions ?? []).filter((f) => f.scope === className && f.name === method),
  );
}

function symbolOutcome(spec: string, c: ObservedComponent): FunctionOutcome {
  if (c.symbolsSeen?.includes(spec)) return { spec, state: 'ran', hits: 1, where: spec, ...(c.firstUse ? { first: c.firstUse } : {}) };
  return outcomeOf(
    spec,
    (c.functions ?? []).filter((f) => f.name === spec),
  );
}

/** What the runs say of each vulnerable function of an advisory on this component. */
export function vulnerableFunctionOutcomes(specs: readonly string[], c: ObservedComponent): FunctionOutcome[] {
  return [...new Set(specs)].sort().map((spec) => {
    switch (c.key.type) {
      case 'npm':
        return npmOutcome(spec, c);
      case 'maven':
        return mavenOutcome(spec, c);
      case 'golang':
        return { spec, state: 'not_located' };
      default:
        return symbolOutcome(spec, c);
    }
  });
}
