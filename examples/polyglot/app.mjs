// The polyglot example: one Node process that starts a JVM inside itself through
// java-bridge (JNI), calls a small Java library that reads a file, digests it and
// asks a local server, while Node reads its own file and fetches from its own HTTP
// server. Under `apitrace run`, the native shim, the Node plugin and the JVM agent
// all record in this one pid. It starts what it needs, prints a fixed report and
// exits 0 by itself.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createLineServer } from 'node:net';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import javaBridge from 'java-bridge';

const here = dirname(fileURLToPath(import.meta.url));
const catalogPath = join(here, 'data', 'catalog.txt');
const greetingPath = join(here, 'data', 'greeting.txt');
const libraryJar = join(here, 'build', 'polyglot-lib.jar');
// The agent is named in the JVM's own options, the way an app embedding a JVM would
// do it. `apitrace run` also names it in JAVA_TOOL_OPTIONS: the agent records once per JVM.
const agentJar = process.env.APITRACE_JVM_AGENT || join(here, '..', '..', 'packages', 'jvm-agent', 'target', 'apitrace.jar');

function fail(what, why, todo) {
  console.error(`polyglot: ${what}: ${why} (${todo})`);
  process.exit(1);
}

/** The prices the servers answer with, read by Node from the same catalog Java reads. */
function pricesFrom(text) {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [name, price] = line.split(' ');
        return [name, Number(price)];
      }),
  );
}

/** A line server for the Java client: one question (an item name) per connection, one answer. */
async function startLineServer(prices) {
  const server = createLineServer((socket) => {
    let asked = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      asked += chunk;
      const end = asked.indexOf('\n');
      if (end < 0) return;
      const item = asked.slice(0, end);
      socket.end(prices.has(item) ? `${item} costs ${prices.get(item)}\n` : `${item} is unknown\n`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The HTTP server Node's own fetch talks to. */
async function startHttpServer(prices) {
  const server = createHttpServer((req, res) => {
    const item = decodeURIComponent(new URL(req.url, 'http://localhost').pathname.replace(/^\/prices\//, ''));
    res.setHeader('content-type', 'application/json');
    if (!prices.has(item)) {
      res.statusCode = 404;
      res.end(JSON.stringify({ item, error: 'unknown' }));
      return;
    }
    res.end(JSON.stringify({ item, price: prices.get(item) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

if (!existsSync(libraryJar)) fail(`cannot find ${libraryJar}`, 'the Java library of the example is not built', 'run `npm run build` at the repository root');

// Node's own file read: JS frames above the native open, on the main thread.
const greeting = readFileSync(greetingPath, 'utf8').trim();
const prices = pricesFrom(readFileSync(catalogPath, 'utf8'));

const lineServer = await startLineServer(prices);
const httpServer = await startHttpServer(prices);

try {
  javaBridge.ensureJvm({
    opts: existsSync(agentJar) ? [`-javaagent:${agentJar}`] : [],
    classpath: [libraryJar],
  });
} catch (err) {
  fail('cannot start the JVM through java-bridge', err.message, 'install a JDK 17 and set JAVA_HOME to it');
}
const CatalogChecks = javaBridge.importClass('dev.apitrace.examples.polyglot.CatalogChecks');

// Synchronous calls run the Java code on this (the main) thread: the JS frame that
// called into java-bridge, the Java frames and the native open share one thread id.
const lines = CatalogChecks.readCatalogSync(catalogPath);
const digest = CatalogChecks.sha256OfSync(catalogPath);

// The asynchronous call runs on a java-bridge worker thread, which leaves Node's
// event loop free to answer it from the line server in this same process.
const javaAnswer = await CatalogChecks.askServer('127.0.0.1', lineServer.address().port, 'plums');

const response = await fetch(`http://127.0.0.1:${httpServer.address().port}/prices/pears`);
const nodeAnswer = await response.json();

lineServer.close();
httpServer.close();

console.log(greeting);
console.log(`java read ${lines.length} catalog lines: ${lines.join(', ')}`);
console.log(`java sha-256 of the catalog: ${digest}`);
console.log(`java asked the line server: ${javaAnswer}`);
console.log(`node fetched: ${nodeAnswer.item} costs ${nodeAnswer.price} (status ${response.status})`);
