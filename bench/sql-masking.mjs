// SQL masking cost per statement in the Node plugin (it runs on every recorded query): typical
// statements, and hostile ones of 1 MB whose quotes, comments or dollar tags never close.
// Usage: node bench/sql-masking.mjs [path to a compiled sql-text.js]
import { fileURLToPath, pathToFileURL } from 'node:url';

const module = process.argv[2] ?? fileURLToPath(new URL('../packages/node-plugin/dist/src/db/sql-text.js', import.meta.url));
const { maskSql, sqlFacts } = await import(pathToFileURL(module).href);
const mask = maskSql ?? ((sql) => sqlFacts(sql));

const typical = [
  "SELECT id, name, email FROM users WHERE email = 'alice@example.com' AND active = 1 LIMIT 10",
  'INSERT INTO orders (customer_id, total, note) VALUES ($1, $2, $3) RETURNING id',
  'UPDATE accounts SET balance = balance - 42.50, updated_at = now() WHERE id = 7 /* app:billing */',
  'SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = ? ORDER BY o.total DESC',
];

function perCall(sql, rounds) {
  for (let i = 0; i < Math.min(rounds, 1000); i++) mask(sql, 'any');
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) mask(sql, 'any');
  return Number(process.hrtime.bigint() - started) / rounds;
}

const typicalNs = typical.map((sql) => perCall(sql, 200_000));
console.log(`typical statements (${typical.map((s) => s.length).join(', ')} chars): ${typicalNs.map((ns) => `${ns.toFixed(0)} ns`).join(', ')} per call`);
for (const piece of ["'", '"', '/*', '$a$', "E'\\", '--', "x'", '0x1 ']) {
  const sql = `SELECT ${piece.repeat(Math.ceil(1e6 / piece.length))}`;
  console.log(`1 MB of ${JSON.stringify(piece)}: ${(perCall(sql, 5) / 1e6).toFixed(1)} ms per call`);
}
