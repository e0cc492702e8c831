// es-module-lexer, loaded on first use (a process that never asks does not load it), for the
// ES module hooks thread and for the decision of when to start it.
import { createRequire } from 'node:module';

type Lexer = typeof import('es-module-lexer');
let lexer: Lexer | undefined;

/** The imports and exports es-module-lexer finds in a source; throws when it cannot read it. */
export function lexModule(source: string): ReturnType<Lexer['parse']> {
  lexer ??= createRequire(import.meta.url)('es-module-lexer') as Lexer;
  return lexer.parse(source);
}
