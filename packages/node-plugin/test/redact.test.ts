import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { redactArgv, redactText } from '../src/redact.js';

interface Vector {
  argv: string[];
  redacted: string[];
}

// dist/test/ -> packages/core/schema/
const vectors = (
  JSON.parse(readFileSync(new URL('../../../core/schema/redaction-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

describe('node-plugin redaction', () => {
  for (const v of vectors) {
    it(`redacts ${JSON.stringify(v.argv)}`, () => {
      assert.deepEqual(redactArgv(v.argv), v.redacted);
    });
  }

  it('is idempotent', () => {
    for (const v of vectors) assert.deepEqual(redactArgv(v.redacted), v.redacted);
  });

  it('redacts text outside argv the same way', () => {
    assert.equal(redactText('https://u:pw@h/?session=1'), 'https://u:***@h/?session=***');
  });
});
