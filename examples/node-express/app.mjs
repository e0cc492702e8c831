// The node-express example: a user directory served by express over better-sqlite3,
// with a route that calls a second local service with fetch, one that reads a file and
// one that runs a shell command. It starts both servers, makes its own requests to
// them, prints a fixed report and exits 0 by itself. Some routes are written badly on
// purpose, for the findings apitrace should report: see README.md.
import Database from 'better-sqlite3';
import express from 'express';
import { exec } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const usersPath = join(here, 'data', 'users.json');
const aboutPath = join(here, 'data', 'about.txt');
const run = promisify(exec);

/** A database file in a fresh temporary directory, seeded from data/users.json. */
function openDirectory(workDir) {
  const db = new Database(join(workDir, 'users.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, team TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO users (id, name, team) VALUES (@id, @name, @team)');
  db.transaction((users) => users.forEach((u) => insert.run(u)))(JSON.parse(readFileSync(usersPath, 'utf8')));
  return db;
}

/** Math.random for a secret on purpose: the weak-random finding this example documents. */
function makeSessionToken() {
  let token = '';
  for (let i = 0; i < 32; i++) token += Math.floor(Math.random() * 16).toString(16);
  return token;
}

/** The second service the directory calls out to: team headcount budgets. */
function budgetService() {
  const budgets = { payments: 4, search: 2 };
  return createServer((req, res) => {
    const team = new URL(req.url, 'http://localhost').pathname.split('/').pop();
    res.setHeader('content-type', 'application/json');
    res.statusCode = team in budgets ? 200 : 404;
    res.end(JSON.stringify({ team, budget: budgets[team] ?? null }));
  });
}

function directoryApp(db, budgetUrl) {
  const app = express();
  app.use(express.json());
  const byId = db.prepare('SELECT id, name, team FROM users WHERE id = ?');

  app.get('/users/:id', (req, res) => {
    const user = byId.get(Number(req.params.id));
    if (!user) return res.status(404).json({ error: 'no such user' });
    res.json(user);
  });

  // SQL built by string concatenation on purpose: the SQL-from-strings finding.
  const membersOf = (team) => db.prepare("SELECT id, name FROM users WHERE team = '" + team + "' ORDER BY id").all();
  app.get('/search', (req, res) => {
    res.json(membersOf(String(req.query.team)));
  });

  app.post('/sessions', (req, res) => {
    res.status(201).json({ user: req.body.user, token: makeSessionToken() });
  });

  app.get('/teams/:team/budget', async (req, res) => {
    const upstream = await fetch(`${budgetUrl}/budgets/${encodeURIComponent(req.params.team)}`);
    res.status(upstream.status).json(await upstream.json());
  });

  app.get('/about', async (req, res) => {
    res.type('text/plain').send(await readFile(aboutPath, 'utf8'));
  });

  // A command run through a shell, on purpose: the shell-execution finding.
  app.get('/users-file/lines', async (req, res) => {
    const { stdout } = await run(`wc -l < '${usersPath}'`);
    res.json({ lines: Number(stdout.trim()) });
  });

  return app;
}

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
}

const workDir = mkdtempSync(join(tmpdir(), 'apitrace-node-express-example-'));
const db = openDirectory(workDir);
const budgets = budgetService();
const budgetUrl = await listen(budgets);
const directory = createServer(directoryApp(db, budgetUrl));
const base = await listen(directory);

try {
  const get = async (path) => {
    const res = await fetch(`${base}${path}`);
    return `${res.status} ${await res.text()}`;
  };
  console.log(`GET /users/2 -> ${await get('/users/2')}`);
  console.log(`GET /users/9 -> ${await get('/users/9')}`);
  console.log(`GET /search?team=payments -> ${await get('/search?team=payments')}`);
  const session = await fetch(`${base}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'alice' }),
  });
  const { user, token } = await session.json();
  console.log(`POST /sessions -> ${session.status} session for ${user}, token of ${token.length} hex characters`);
  console.log(`GET /teams/payments/budget -> ${await get('/teams/payments/budget')}`);
  console.log(`GET /about -> ${(await get('/about')).trim()}`);
  console.log(`GET /users-file/lines -> ${await get('/users-file/lines')}`);
} finally {
  directory.closeAllConnections();
  directory.close();
  budgets.closeAllConnections();
  budgets.close();
  db.close();
  rmSync(workDir, { recursive: true, force: true });
}
