// docs/findings.md lists the rule set: every rule appears in its table with its title,
// severity and CWEs, and the table names no rule that does not exist.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { FINDING_RULES } from '../../src/findings/rules/index.js';

const doc = readFileSync(new URL('../../../../../docs/findings.md', import.meta.url), 'utf8');

describe('docs/findings.md', () => {
  it('has one table row per rule with its title, severity and CWEs', () => {
    const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| ([^|]+) \| (\w+) \| ([^|]+) \|/gm)];
    assert.deepEqual(
      rows.map((r) => r[1]),
      FINDING_RULES.map((r) => r.id),
    );
    for (const [i, rule] of FINDING_RULES.entries()) {
      const row = rows[i]!;
      assert.equal(row[2]!.trim(), rule.title);
      assert.equal(row[3], rule.severity);
      assert.equal(row[4]!.trim(), rule.cwe.join(', '));
    }
  });
});
