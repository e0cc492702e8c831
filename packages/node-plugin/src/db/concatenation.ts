// The SQL-injection clue: SQL text with literals and no placeholders whose literal values are
// not written in the calling function. The caller's source from the line its function starts
// on (V8's enclosing position) to the line of the call is what the function itself wrote: if
// every literal appears there, the statement is a constant (`WHERE active = 1`, or a value
// from a local constant); a literal that does not came into the text at run time, from the
// function's arguments or data it was handed: `concatenated_sql`.
// The caller's source is read once per file (bounded cache) from disk.
import { readFileSync } from 'node:fs';
import type { CallerPosition } from '../runtime/index.js';
import { sqlFacts, type SqlDialect } from './sql-text.js';

const MAX_SOURCES = 256;
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;
const sources = new Map<string, string | null>();

function sourceOf(file: string): string | null {
  if (sources.has(file)) return sources.get(file)!;
  let text: string | null;
  try {
    const content = readFileSync(file, 'utf8');
    text = content.length <= MAX_SOURCE_BYTES ? content : null;
  } catch {
    text = null;
  }
  if (sources.size >= MAX_SOURCES) sources.delete(sources.keys().next().value!);
  sources.set(file, text);
  return text;
}

function writtenIn(source: string, literal: string): boolean {
  if (literal === '') return true;
  if (/^-?\d+(\.\d+)?$/.test(literal)) return new RegExp(`(?<![\\w.])${literal.replace(/[.-]/g, '\\$&')}(?![\\w])`).test(source);
  return source.includes(literal);
}

/** The text of the calling function from its first line to the line of the call. */
function callingCode(source: string, caller: CallerPosition): string {
  if (caller.line === null) return source;
  const lines = source.split('\n');
  const from = Math.max(0, (caller.fnLine ?? 1) - 1);
  return lines.slice(from, caller.line).join('\n');
}

/** Whether `sql`, sent with `hasValues` bind values from the calling frame, was built by concatenation. */
export function isConcatenatedSql(sql: string, dialect: SqlDialect, hasValues: boolean, caller: CallerPosition | undefined): boolean {
  if (hasValues) return false;
  const facts = sqlFacts(sql, dialect);
  if (facts.placeholders || facts.literals.length === 0) return false;
  if (caller === undefined || !caller.file.startsWith('/')) return false;
  const source = sourceOf(caller.file);
  if (source === null) return false;
  const code = callingCode(source, caller);
  return facts.literals.some((literal) => !writtenIn(code, literal));
}
