import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConcatenatedSql } from '../../src/db/concatenation.js';
import { maskSql, sqlFacts, type SqlDialect } from '../../src/db/sql-text.js';

interface Vector {
  dialects: SqlDialect[];
  sql: string;
  masked: string;
  literals: string[];
  placeholders: boolean;
}

// dist/test/db/ -> packages/core/schema/
const vectors = (JSON.parse(readFileSync(new URL('../../../../core/schema/sql-masking-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] })
  .vectors;

describe('db SQL text', () => {
  it('has the shared vectors', () => {
    assert.ok(vectors.length >= 40, `found ${vectors.length}`);
  });

  for (const v of vectors) {
    for (const dialect of v.dialects) {
      it(`masks as ${dialect}: ${JSON.stringify(v.sql.length > 80 ? `${v.sql.slice(0, 80)}…` : v.sql)}`, () => {
        assert.deepEqual(sqlFacts(v.sql, dialect), { masked: v.masked, literals: v.literals, placeholders: v.placeholders });
        assert.deepEqual(maskSql(v.sql, dialect), { masked: v.masked, placeholders: v.placeholders });
      });
    }
  }

  it('flags SQL whose literals are not written in the calling function', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apitrace-sql-'));
    const file = join(dir, 'app.js');
    writeFileSync(
      file,
      [
        "const seed = 'alice';", // 1
        'function byName(name) {', // 2
        '  return db.prepare("SELECT * FROM u WHERE name = \'" + name + "\'");', // 3
        '}', // 4
        'function active() {', // 5
        '  return db.prepare("SELECT * FROM u WHERE id = 1 AND n <> \'x\' AND m > -2.5 -- a note");', // 6
        '}',
      ].join('\n'),
    );
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE name = 'alice'", 'sqlite', false, { file, line: 3, fnLine: 2 }), true);
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE id = 1 AND n <> 'x' AND m > -2.5 -- a note", 'sqlite', false, { file, line: 6, fnLine: 5 }), false);
    assert.equal(isConcatenatedSql("SELECT * FROM u WHERE name = 'alice'", 'sqlite', true, { file, line: 3, fnLine: 2 }), false);
    assert.equal(isConcatenatedSql('SELECT * FROM u WHERE name = $1', 'postgres', false, { file, line: 3, fnLine: 2 }), false);
    assert.equal(isConcatenatedSql("SELECT 'alice'", 'sqlite', false, undefined), false);
    rmSync(dir, { recursive: true, force: true });
  });
});
