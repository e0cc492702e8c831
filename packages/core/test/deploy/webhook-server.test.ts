// The webhook server in-process, where a test can see the moment the server holds a whole
// request body: a big body's parsing must not hold back the small reviews sent after it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebhookServer } from '../../src/deploy/webhook-server.js';

const settings = { image: 'layout:1', nodeEntry: 'node/dist/src/index.js' };

describe('webhook server', function () {
  this.timeout(60_000);
  let dir = '';
  let cert = '';
  let server: Server;
  let port = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apitrace-webhook-server-'));
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
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    cert = readFileSync(join(dir, 'tls.crt'), 'utf8');
    server = createWebhookServer({ cert, key: readFileSync(join(dir, 'tls.key')), settings, maxBodyBytes: 64 << 20, log: () => undefined });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/mutate/pod', method: 'POST', ca: cert, servername: 'localhost', agent: false, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers a small review while a big body that came before it is still being parsed', async () => {
    // Deeply nested junk is the slowest JSON to parse: about a second for these 32 MiB.
    const junk = Buffer.alloc(32 << 20, '{"a":[');
    const junkReceived = new Promise<void>((resolve) => {
      server.on('request', (req: IncomingMessage) => {
        if (req.headers['x-test'] === 'junk') req.on('end', resolve);
      });
    });
    const answered: string[] = [];
    const junkReply = post(junk, { 'x-test': 'junk' }).then((reply) => {
      answered.push('junk');
      return reply;
    });
    await junkReceived;
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'small-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        operation: 'CREATE',
        namespace: 'shop',
        object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }] } },
      },
    });
    const small = await post(review);
    answered.push('small');

    assert.equal(small.status, 200, small.text);
    assert.equal((JSON.parse(small.text) as { response: { uid: string } }).response.uid, 'small-1');
    const rejected = await junkReply;
    assert.equal(rejected.status, 400);
    assert.match(rejected.text, /^apitrace webhook: malformed AdmissionReview: the body is not JSON: /);
    assert.deepEqual(answered, ['small', 'junk'], 'the small review did not wait for the big one');
  });
});
