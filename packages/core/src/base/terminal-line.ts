// Text from outside apitrace (an observed program's argv, messages in event files, fields of a
// client's request) made safe for one line of a terminal or a log. Control characters (C0, DEL,
// C1), bidirectional overrides, isolates and marks, and the Unicode line separators become
// visible escapes, so no input can move the cursor, retitle the window, reorder what is shown
// or start a line of its own. For display only: backslashes stay as they are, which makes the
// escaping idempotent (a line made safe twice reads the same) but not reversible.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text as one safe line: every unsafe character shown as an escape (`\x1b`, `\u202e`, `\n`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Lines for a terminal, each made safe: the only line breaks in the result are those between them. */
export function terminalLines(lines: readonly string[]): string {
  return `${lines.map(terminalSafe).join('\n')}\n`;
}
