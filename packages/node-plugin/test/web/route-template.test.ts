import { strict as assert } from 'node:assert';
import { pathOfTarget, templatePath } from '../../src/web/route-template.js';

describe('web route templates', () => {
  it('templates ids, UUIDs, long hex and token-like segments; drops the query', () => {
    assert.equal(templatePath('/users/42/orders/7?x=1'), '/users/:id/orders/:id');
    assert.equal(templatePath('/files/3f2504e0-4f89-11d3-9a0c-0305e82c3301'), '/files/:id');
    assert.equal(templatePath('/commits/0123456789abcdef0123'), '/commits/:id');
    assert.equal(templatePath('/reset/eyJhbGciOiJIUzI1NiJ9abc123'), '/reset/:id');
    assert.equal(templatePath('/api/v2/health'), '/api/v2/health');
    assert.equal(templatePath(''), '/');
  });

  it('templates the path tokens of the redaction rules, digits or not', () => {
    // a JWT whose parts happen to hold no digit, and 32 hex letters
    assert.equal(templatePath('/reset/eyJhbGciOiJIUzI.eyJzdWIiOiJib.abc/done'), '/reset/:id/done');
    assert.equal(templatePath(`/blob/${'abcdef'.repeat(6)}`), '/blob/:id');
  });

  it('takes the path of origin-form and absolute-form targets', () => {
    assert.equal(pathOfTarget('/a/b?c=d#e'), '/a/b');
    assert.equal(pathOfTarget('http://h.example:8080/x?y'), '/x');
  });
});
