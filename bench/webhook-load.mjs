// How long the admission webhook takes to answer a valid AdmissionReview while hostile clients
// hold it: slowloris connections (TLS up, then a header byte a second, never a whole request),
// and clients sending junk as fast as they can (garbage bodies up to the size limit, plain
// bytes on the TLS port, handshakes abandoned half-way), all at once. The API server gives up
// after timeoutSeconds (5 by default): that is the number to stay well under.
// The hostile clients run in a worker thread, so their own work does not delay the timed client.
// Usage: node bench/webhook-load.mjs [slowloris connections] [junk clients] [seconds] [junk kinds]
//        (defaults 200 200 20 body,plain,handshake: valid reviews are timed one after another
//        for that long, idle and then under load; run `npm install` first)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** One request on a fresh connection (handshake included); resolves with status and body. */
function post(port, ca, body, path = '/mutate/pod') {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'localhost', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function hostileClients({ port, ca, slowCount, junkCount, kinds }) {
  let slowHeld = 0;
  let junkSent = 0;
  const reportHeld = () => parentPort.postMessage({ slowHeld, junkSent });

  function slowloris() {
    let up = false;
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      up = true;
      slowHeld++;
      reportHeld();
      socket.write('POST /mutate/pod HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-slow: ');
      const drip = setInterval(() => socket.write('x'), 1000);
      socket.once('close', () => clearInterval(drip));
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (up) slowHeld--;
      reportHeld();
      setTimeout(slowloris, up ? 0 : 100); // a real attacker reconnects at once
    });
  }

  const junkBody = Buffer.alloc(4 * 1024 * 1024 - 4096, '{"a":[');
  function junk(i) {
    const next = () => setImmediate(() => junk(i + 1));
    junkSent++;
    const kind = kinds[i % kinds.length];
    if (kind === 'body') {
      // garbage just under the default body limit
      post(port, ca, junkBody).then(next, next);
    } else if (kind === 'plain') {
      // not TLS at all
      const s = createConnection({ host: '127.0.0.1', port }, () => s.end('POST /mutate/pod HTTP/1.1\r\nhost: x\r\n\r\n'));
      s.on('error', () => undefined);
      s.once('close', next);
      s.resume();
    } else if (kind === 'handshake') {
      // a handshake abandoned as soon as it is done
      const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => s.destroy());
      s.on('error', () => undefined);
      s.once('close', next);
    }
  }

  for (let i = 0; i < slowCount; i++) slowloris();
  for (let i = 0; i < junkCount; i++) junk(i);
  setInterval(reportHeld, 500);
}

async function main() {
  const [slowCount, junkCount, seconds] = [200, 200, 20].map((d, i) => Number(process.argv[2 + i] ?? d));
  const kinds = (process.argv[5] ?? 'body,plain,handshake').split(',');
  const unknown = kinds.filter((k) => !['body', 'plain', 'handshake'].includes(k));
  if (unknown.length > 0) throw new Error(`unknown junk kind ${unknown.join(', ')}: use body, plain, handshake`);
  const cli = fileURLToPath(new URL('../packages/core/bin/apitrace.js', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'apitrace-bench-webhook-'));
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(work, 'tls.key'),
      '-out',
      join(work, 'tls.crt'),
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(made.stderr);
  const ca = readFileSync(join(work, 'tls.crt'), 'utf8');

  const server = spawn(
    process.execPath,
    [cli, 'webhook', 'serve', '--tls-cert', join(work, 'tls.crt'), '--tls-key', join(work, 'tls.key'), '--host', '127.0.0.1', '--port', '0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let logLines = 0;
  const port = await new Promise((resolve, reject) => {
    let text = '';
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (d) => {
      logLines += d.split('\n').length - 1;
      text += d;
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`webhook exited ${code}: ${text}`)));
  });

  const review = (uid) =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'shop',
        operation: 'CREATE',
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'shop-1', annotations: { 'apitrace.dev/inject': 'true' } },
          spec: { containers: [{ name: 'app', image: 'node:20' }] },
        },
      },
    });
  const timedReview = async (uid) => {
    const started = process.hrtime.bigint();
    const { status, text } = await post(port, ca, review(uid));
    if (status !== 200 || JSON.parse(text).response.uid !== uid) throw new Error(`bad answer ${status}: ${text.slice(0, 200)}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const timeReviews = async (label) => {
    const times = [];
    const failures = [];
    const until = Date.now() + seconds * 1000;
    for (let i = 0; Date.now() < until; i++) {
      try {
        times.push(await timedReview(`${label}-${i}`));
      } catch (err) {
        failures.push(err.message);
      }
    }
    const s = times.sort((a, b) => a - b);
    const figures = s.length ? `min ${s[0].toFixed(1)}  median ${s[Math.floor(s.length / 2)].toFixed(1)}  max ${s.at(-1).toFixed(1)} ms` : 'none answered';
    return `${times.length} answered, ${figures}${failures.length ? `  (${failures.length} failed: ${failures[0]})` : ''}`;
  };

  console.log(`webhook: valid AdmissionReviews one after another for ${seconds} s, each on a new TLS connection`);
  console.log(`  idle server:              ${await timeReviews('idle')}`);

  const load = new Worker(new URL(import.meta.url), { workerData: { port, ca, slowCount, junkCount, kinds } });
  let held = { slowHeld: 0, junkSent: 0 };
  load.on('message', (m) => (held = m));
  // under way: every slowloris connection up, every junk client through its first request
  while (held.slowHeld < slowCount || held.junkSent < 2 * junkCount) await new Promise((r) => setTimeout(r, 50));
  const junkBefore = held.junkSent;
  const loaded = await timeReviews('loaded');
  console.log(`  ${slowCount} slowloris, ${junkCount} junk (${kinds.join(',')}): ${loaded}`);
  console.log(
    `  (meanwhile ${held.junkSent - junkBefore} junk requests; ${held.slowHeld} slowloris connections open at the end; ${logLines} server log lines in all)`,
  );

  await load.terminate();
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
  rmSync(work, { recursive: true, force: true });
}

if (isMainThread) await main();
else hostileClients(workerData);
