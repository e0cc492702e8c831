// Database calls of popular drivers (pg, mysql2, better-sqlite3) with masked SQL and the
// SQL-injection clue (concatenated_sql).
export { databaseFilePatches } from './install.js';
export { DRIVER_PATCHES } from './drivers.js';
export { isConcatenatedSql } from './concatenation.js';
export { maskSql, sqlFacts, type SqlDialect, type SqlFacts } from './sql-text.js';
