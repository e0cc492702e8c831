// docs/events.md is the contract's explanation: every example in it must validate, and
// every record kind of the schema must have one.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { checkEvent, EVENT_SCHEMA_PATH } from '../../src/schema/event-validator.js';

const doc = readFileSync(new URL('../../../../../docs/events.md', import.meta.url), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as { kind: string });
const schema = JSON.parse(readFileSync(EVENT_SCHEMA_PATH, 'utf8')) as {
  oneOf: { $ref: string }[];
  definitions: Record<string, { properties?: { kind?: { const?: string } } }>;
};
const kinds = schema.oneOf.map((ref) => schema.definitions[ref.$ref.split('/').pop()!]!.properties!.kind!.const!);

describe('event contract documentation', () => {
  it('has examples', () => assert.ok(examples.length >= kinds.length));

  for (const [i, example] of examples.entries()) {
    it(`example ${i + 1} (${example.kind}) validates against the schema`, () => {
      const checked = checkEvent(example);
      assert.ok(checked.ok, checked.ok ? '' : checked.error);
    });
  }

  for (const kind of kinds) {
    it(`documents ${kind} with an example and a heading`, () => {
      assert.ok(
        examples.some((e) => e.kind === kind),
        `no example of ${kind}`,
      );
      assert.ok(doc.includes(`### \`${kind}\``), `no heading for ${kind}`);
    });
  }
});
