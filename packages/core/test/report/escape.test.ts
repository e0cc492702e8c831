import { strict as assert } from 'node:assert';
import { escapeHtml } from '../../src/report/html/escape.js';

describe('report escaping', () => {
  it('turns markup from event files into text, in content and in quoted attributes', () => {
    assert.equal(escapeHtml('/tmp/<script>alert("x")</script>'), '/tmp/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    assert.equal(escapeHtml(`a'b&c`), 'a&#39;b&amp;c');
    assert.equal(escapeHtml(undefined), '');
    assert.equal(escapeHtml(42), '42');
  });
});
