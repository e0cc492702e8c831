import { strict as assert } from 'node:assert';
import { terminalLines, terminalSafe } from '../../src/base/terminal-line.js';

describe('terminalSafe', () => {
  it('shows C0 and C1 controls, DEL, bidi overrides, isolates and marks, and line separators as escapes', () => {
    assert.equal(terminalSafe('\x1b]0;pwned\x07'), '\\x1b]0;pwned\\x07');
    assert.equal(terminalSafe('a\tb\r\nc\x00\x7f\x80\x9b\x9f'), 'a\\tb\\r\\nc\\x00\\x7f\\x80\\x9b\\x9f');
    assert.equal(
      terminalSafe('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029'),
      '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
    );
  });

  it('leaves printable text alone, whatever the script, and is idempotent', () => {
    const text = "/srv/app/node_modules/é/ü.js 'quoted' \\x1b, 名前, עברית, \u00a0\u00ff \u{1f600}";
    assert.equal(terminalSafe(text), text);
    const once = terminalSafe('\x1b[31m\u202e\n');
    assert.equal(terminalSafe(once), once);
  });

  it('terminalLines keeps only the line breaks between its lines', () => {
    assert.equal(terminalLines(['one', 'two\nFORGED', '']), 'one\ntwo\\nFORGED\n\n');
  });
});
