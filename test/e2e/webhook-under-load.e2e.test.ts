// `apitrace webhook serve` while hostile clients hold it: 200 slowloris connections and clients
// posting junk (garbage bodies near the size limit, plain bytes on the TLS port, handshakes
// abandoned), with the default limits. Valid AdmissionReviews must still get their answers.
// bench/webhook-load.mjs measures how fast; this test only says that they come, and are right.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { createConnection } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { makeCertificate } from '../support/certificates.js';
import { tempDir } from '../support/processes.js';
import { startWebhookServer, stopWebhookServer } from '../support/webhook-server.js';

const SLOWLORIS = 200;
const JUNK_CLIENTS = 12;

interface Reply {
  status: number;
  text: string;
}

describe('apitrace webhook serve under hostile load (end to end)', function () {
  this.timeout(120_000);
  let server: ChildProcess;
  let work = '';
  let cert = '';
  let port = 0;
  let serverLog = '';

  before(async () => {
    work = tempDir('webhook-load');
    cert = makeCertificate(work, 'localhost').cert;
    ({ server, port } = await startWebhookServer(
      ['--tls-cert', join(work, 'localhost.crt'), '--tls-key', join(work, 'localhost.key')],
      (d) => (serverLog += d),
    ));
  });

  after(async () => {
    if (server.exitCode === null) {
      assert.equal(await stopWebhookServer(server), 0, `the webhook stops cleanly on SIGTERM: ${serverLog.slice(-2000)}`);
    }
    rmSync(work, { recursive: true, force: true });
  });

  function post(body: string | Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/mutate/pod', method: 'POST', ca: cert, servername: 'localhost', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers valid reviews correctly while 200 slowloris connections are held and other clients post junk', async () => {
    let holding = true;
    const slow = new Set<TLSSocket>();
    // Each connection sends the start of a request and never its end; one the server cuts off
    // is opened again, so the server has 200 of them for as long as the test holds them.
    const openSlowloris = (): Promise<void> =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }, () => {
          socket.write('POST /mutate/pod HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-slow: ');
          slow.add(socket);
          resolve();
        });
        socket.on('error', () => resolve());
        socket.once('close', () => {
          slow.delete(socket);
          if (holding) void openSlowloris();
        });
      });
    const slowUp = Promise.all(Array.from({ length: SLOWLORIS }, openSlowloris));
    const drip = setInterval(() => slow.forEach((s) => s.write('x')), 1000);

    const junkReplies = new Map<number, number>();
    const junkBody = Buffer.alloc(4 * 1024 * 1024 - 4096, '{"a":[');
    const junkClient = async (i: number): Promise<void> => {
      for (let n = i; holding; n++) {
        if (n % 3 === 0) {
          const reply = await post(junkBody).catch(() => ({ status: 0, text: '' }));
          junkReplies.set(reply.status, (junkReplies.get(reply.status) ?? 0) + 1);
        } else {
          await new Promise<void>((resolve) => {
            const socket =
              n % 3 === 1
                ? createConnection({ host: '127.0.0.1', port }, () => socket.end('POST /mutate/pod HTTP/1.1\r\nhost: x\r\n\r\n'))
                : connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.destroy());
            socket.on('error', () => undefined);
            socket.once('close', () => resolve());
            socket.resume();
          });
        }
      }
    };
    await slowUp;
    const junk = Array.from({ length: JUNK_CLIENTS }, (_, i) => junkClient(i));

    try {
      for (let i = 0; i < 5; i++) {
        const uid = `under-load-${i}`;
        const review = JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid,
            kind: { group: '', version: 'v1', kind: 'Pod' },
            operation: 'CREATE',
            namespace: 'shop',
            object: {
              metadata: { name: `web-${i}`, annotations: { 'apitrace.dev/inject': 'true' } },
              spec: { containers: [{ name: 'app', image: 'node:20' }] },
            },
          },
        });
        const reply = await post(review);
        assert.equal(reply.status, 200, reply.text);
        const response = (JSON.parse(reply.text) as { response: { uid: string; allowed: boolean; patchType?: string } }).response;
        assert.equal(response.uid, uid);
        assert.equal(response.allowed, true);
        assert.equal(response.patchType, 'JSONPatch', 'injected');
      }
    } finally {
      holding = false;
      clearInterval(drip);
      slow.forEach((s) => s.destroy());
      await Promise.all(junk);
    }

    // The junk was answered as junk (400), or refused while the few places for big bodies were taken (503).
    const statuses = [...junkReplies.keys()].sort();
    assert.ok(
      statuses.every((s) => s === 400 || s === 503 || s === 0),
      `junk answered ${JSON.stringify([...junkReplies])}`,
    );
    assert.ok((junkReplies.get(400) ?? 0) + (junkReplies.get(503) ?? 0) > 0, 'the junk was answered meanwhile');
    assert.equal(server.exitCode, null, 'still running');
    assert.doesNotMatch(serverLog, /internal error/);
  });
});
