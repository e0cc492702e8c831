// Database drivers recorded as `call` spans of category sql: which driver file to wait for
// (loaded through require-in-the-middle, which also sees drivers imported from ESM because
// their own internal requires are CommonJS), which methods, where the SQL is in the arguments.
import { dirname } from 'node:path';
import type { ApiDefinition, CallFacts } from '../builtins/api-wrapper.js';
import { isConcatenatedSql } from './concatenation.js';
import { maskSql, type SqlDialect } from './sql-text.js';

export interface DriverPatch {
  /** require-in-the-middle name of the file that defines the class (internals) */
  file: string;
  /** the object whose methods are wrapped, from that file's exports */
  target: (exports: any) => object | undefined;
  /** API id prefix: npm:pg.Client. + name */
  prefix: string;
  names: readonly string[];
  /** the SQL the driver's server speaks, for masking */
  dialect: SqlDialect;
  /** where the SQL text is: a string argument or a { text | sql } object */
  sqlOf: (args: readonly unknown[]) => { sql: string; hasValues: boolean } | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** (sql | {sql|text, values}, values?, cb?) as in pg and mysql2. */
function sqlAndValues(key: 'text' | 'sql') {
  return (args: readonly unknown[]): { sql: string; hasValues: boolean } | undefined => {
    const first = args[0];
    const values = args[1];
    const hasValues = Array.isArray(values)
      ? values.length > 0
      : isObject(values) && !Array.isArray(values) && typeof values !== 'function' && Object.keys(values).length > 0;
    if (typeof first === 'string') return { sql: first, hasValues };
    if (isObject(first) && typeof first[key] === 'string') {
      const own = first['values'];
      return { sql: first[key] as string, hasValues: hasValues || (Array.isArray(own) && own.length > 0) };
    }
    return undefined;
  };
}

function sqlOnly(args: readonly unknown[]): { sql: string; hasValues: boolean } | undefined {
  return typeof args[0] === 'string' ? { sql: args[0], hasValues: false } : undefined;
}

export const DRIVER_PATCHES: readonly DriverPatch[] = [
  {
    file: 'pg/lib/client',
    target: (Client) => Client?.prototype,
    prefix: 'npm:pg.Client.',
    dialect: 'postgres',
    names: ['query'],
    sqlOf: sqlAndValues('text'),
  },
  { file: 'pg-pool', target: (Pool) => Pool?.prototype, prefix: 'npm:pg.Pool.', dialect: 'postgres', names: ['query'], sqlOf: sqlAndValues('text') },
  {
    file: 'mysql2/lib/base/connection',
    target: (C) => C?.prototype,
    prefix: 'npm:mysql2.Connection.',
    dialect: 'mysql',
    names: ['query', 'execute'],
    sqlOf: sqlAndValues('sql'),
  },
  {
    file: 'mysql2/lib/base/pool',
    target: (P) => P?.prototype,
    prefix: 'npm:mysql2.Pool.',
    dialect: 'mysql',
    names: ['query', 'execute'],
    sqlOf: sqlAndValues('sql'),
  },
  {
    file: 'better-sqlite3/lib/database',
    target: (D) => D?.prototype,
    prefix: 'npm:better-sqlite3.Database.',
    dialect: 'sqlite',
    names: ['prepare', 'exec'],
    sqlOf: sqlOnly,
  },
];

/** The definition of one driver method; `driverRoot` is the directory of the loaded driver. */
export function driverDefinition(patch: DriverPatch, name: string, driverRoot: string): ApiDefinition {
  // pg-pool and pg sit side by side; frames in either are the driver, not its caller.
  const skipUnder = dirname(driverRoot) + '/';
  const driverFrames = [driverRoot + '/', skipUnder + 'pg-pool/', skipUnder + 'pg/'];
  return {
    api: `${patch.prefix}${name}`,
    category: 'sql',
    skipUnder: driverRoot + '/',
    facts: (args): CallFacts => {
      const found = patch.sqlOf(args);
      if (found === undefined) return { args: {} };
      const masked = maskSql(found.sql, patch.dialect).masked;
      return { args: { sql: masked }, subject: masked };
    },
    inspectCall: (args, _sites, caller) => {
      // the driver calling itself (a pool handing the query to a client): already recorded
      if (caller === undefined || driverFrames.some((d) => caller.file.startsWith(d))) return null;
      const found = patch.sqlOf(args);
      return found !== undefined && isConcatenatedSql(found.sql, patch.dialect, found.hasValues, caller) ? ['concatenated_sql'] : undefined;
    },
  };
}
