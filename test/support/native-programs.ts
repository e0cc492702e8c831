// Small C programs the end-to-end tests build and run under apitrace.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A program linking libsqlite3 and libz that calls only sqlite: libsqlite3-0 is used, zlib1g only
 * loaded (--no-as-needed keeps libz in DT_NEEDED although nothing of it is called). Returns its path.
 */
export function buildSqliteOnlyProgram(dir: string): string {
  const source = join(dir, 'sqlite-only.c');
  const program = join(dir, 'sqlite-only');
  writeFileSync(
    source,
    [
      '#include <sqlite3.h>',
      '#include <stdio.h>',
      'int main(void) {',
      '  sqlite3 *db;',
      '  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;',
      '  sqlite3_exec(db, "create table t(x); insert into t values (1);", 0, 0, 0);',
      '  sqlite3_close(db);',
      '  puts("ok");',
      '  return 0;',
      '}',
    ].join('\n'),
  );
  const cc = spawnSync('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-o', program, source, '-Wl,--no-as-needed', '-lsqlite3', '-lz'], {
    encoding: 'utf8',
  });
  assert.equal(cc.status, 0, cc.stderr);
  return program;
}
