import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConcatenatedSql } from '../../src/db/concatenation.js';
import { sqlFacts } from '../../src/db/sql-text.js';

describe('db SQL text', () => {
  it('masks string and numeric literals, keeps identifiers, placeholders and casts', () => {
    assert.deepEqual(sqlFacts("SELECT * FROM t1 WHERE name = 'O''Brien' AND age > 42 AND x = -1.5"), {
      masked: 'SELECT * FROM t1 WHERE name = ? AND age > ? AND x = ?', literals: ["O'Brien", '42', '-1.5'], placeholders: false,
    });
    assert.equal(sqlFacts('SELECT $1::int, "col2" FROM t').placeholders, true);
    assert.equal(sqlFacts('SELECT * FROM t WHERE a = ? -- 5').placeholders, true);
    assert.equal(sqlFacts('UPDATE t SET a = :value').placeholders, true);
    assert.equal(sqlFacts("SELECT '::notcast' FROM t").placeholders, false);
  });

  it('flags SQL whose literals are not written in the calling function', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apitrace-sql-'));
    const file = join(dir, 'app.js');
    writeFileSync(file, [
      "const seed = 'alice';",                                            // 1
      'function byName(name) {',                                          // 2
      "  return db.prepare(\"SELECT * FROM u WHERE name = '\" + name + \"'\");", // 3
      '}',                                                                // 4
      'function active() {',                                              // 5
      "  return db.prepare(\"SELECT * FROM u WHERE id = 1 AND n <> 'x'\");",   // 6
      '}',
    ].join('\n'));
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE name = 'alice'", false, { file, line: 3, fnLine: 2 }), true);
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE id = 1 AND n <> 'x'", false, { file, line: 6, fnLine: 5 }), false);
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE name = 'alice'", true, { file, line: 3, fnLine: 2 }), false);
    assert.equal(isConcatenatedSql('SELECT * FROM u WHERE name = $1', false, { file, line: 3, fnLine: 2 }), false);
    assert.equal(isConcatenatedSql("SELECT 'alice'", false, undefined), false);
    rmSync(dir, { recursive: true, force: true });
  });
});
