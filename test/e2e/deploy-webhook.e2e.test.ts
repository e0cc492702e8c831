// The Kubernetes mutating admission webhook as the API server meets it: `apitrace webhook serve`
// running as its own process with a self-signed certificate, real AdmissionReviews over HTTPS,
// and every returned JSON Patch applied to the pod with a JSON Patch library.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { createConnection, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonpatch from 'fast-json-patch';
import { makeCertificate } from '../support/certificates.js';
import { CLI } from '../support/paths.js';
import { cleanEnv, runProgram, tempDir } from '../support/processes.js';
import { startWebhookServer, stopWebhookServer } from '../support/webhook-server.js';

const LAYOUT_IMAGE = 'registry.example/apitrace-layout:test';
const NODE_IMPORT = '--import /apitrace/lib/node/dist/src/index.js';
const SHIM = '/apitrace/lib/libapitrace.so';
const AGENT = '-javaagent:/apitrace/lib/apitrace.jar';

interface Reply {
  status: number;
  text: string;
}

interface Review {
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[]; status?: unknown };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- pods are free-form JSON here */
type Pod = any;

let server: ChildProcess;
let port = 0;
let cert = '';
let work = '';
let serverLog = '';

function send(path: string, body: string | Buffer, method = 'POST', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, ca: cert, servername: 'localhost', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function peerCommonName(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }, () => {
      const name = String(socket.getPeerCertificate().subject.CN);
      socket.end();
      resolve(name);
    });
    socket.on('error', reject);
  });
}

function serverLogLine(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const look = (): boolean => {
      const m = pattern.exec(serverLog);
      if (m) resolve(m[0]);
      return m !== null;
    };
    if (look()) return;
    const onData = (): void => {
      if (look()) server.stderr!.off('data', onData);
    };
    server.stderr!.on('data', onData);
  });
}

function admissionReview(object: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'e2e-7f3c',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object,
      dryRun: false,
      ...extra,
    },
  });
}

async function review(object: unknown, path = '/mutate/pod', extra: Record<string, unknown> = {}): Promise<Review> {
  const reply = await send(path, admissionReview(object, extra));
  assert.equal(reply.status, 200, reply.text);
  const parsed = JSON.parse(reply.text) as Review & { apiVersion: string; kind: string };
  assert.equal(parsed.apiVersion, 'admission.k8s.io/v1');
  assert.equal(parsed.kind, 'AdmissionReview');
  assert.equal(parsed.response.uid, 'e2e-7f3c');
  assert.equal(parsed.response.allowed, true, 'apitrace never rejects a pod');
  return parsed;
}

/** Applies the answer's patch to the pod (validating every operation) and returns the new pod. */
function patched(pod: Pod, answer: Review): Pod {
  assert.equal(answer.response.patchType, 'JSONPatch');
  const operations = JSON.parse(Buffer.from(answer.response.patch!, 'base64').toString('utf8')) as jsonpatch.Operation[];
  return jsonpatch.applyPatch(structuredClone(pod), operations, true, false).newDocument;
}

function unpatched(answer: Review): void {
  assert.equal(answer.response.patch, undefined, 'no patch');
  assert.equal(answer.response.patchType, undefined);
}

function envOf(container: Pod): Record<string, string> {
  return Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}

function annotated(spec: Pod, annotations: Record<string, string> = { 'apitrace.dev/inject': 'true' }): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shop-7d9f', namespace: 'shop', labels: { app: 'shop' }, annotations }, spec };
}

function assertInjectedContainer(container: Pod, expectEnv: Record<string, string>): void {
  const env = envOf(container);
  for (const [name, value] of Object.entries(expectEnv)) assert.equal(env[name], value, `${container.name} ${name}`);
  const mounts = (container.volumeMounts as Pod[]).filter((m) => m.name === 'apitrace');
  assert.deepEqual(mounts, [
    { name: 'apitrace', mountPath: '/apitrace/lib', subPath: 'lib', readOnly: true },
    { name: 'apitrace', mountPath: '/apitrace/runs', subPath: `runs/${container.name as string}` },
  ]);
}

const freshEnv = { APITRACE_DIR: '/apitrace/runs', LD_PRELOAD: SHIM, NODE_OPTIONS: NODE_IMPORT, JAVA_TOOL_OPTIONS: AGENT };

describe('apitrace webhook serve (end to end over HTTPS)', function () {
  this.timeout(60_000);

  before(async () => {
    work = tempDir('webhook');
    const first = makeCertificate(work, 'localhost');
    writeFileSync(join(work, 'tls.crt'), first.cert);
    writeFileSync(join(work, 'tls.key'), first.key);
    cert = first.cert;
    ({ server, port } = await startWebhookServer(
      ['--tls-cert', join(work, 'tls.crt'), '--tls-key', join(work, 'tls.key'), '--image', LAYOUT_IMAGE, '--max-body-bytes', '65536'],
      (d) => (serverLog += d),
    ));
  });

  after(async () => {
    if (server.exitCode === null) {
      assert.equal(await stopWebhookServer(server), 0, `the webhook stops cleanly on SIGTERM: ${serverLog}`);
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('injects a one-container pod: volume, init container, mounts, variables, marker', async () => {
    const pod = annotated({ containers: [{ name: 'web', image: 'node:20', ports: [{ containerPort: 8080 }] }] });
    const answer = await review(pod);
    assert.equal(answer.response.warnings, undefined);
    const after = patched(pod, answer);

    assert.equal(after.metadata.annotations['apitrace.dev/injected'], 'true');
    assert.equal(after.metadata.annotations['apitrace.dev/inject'], 'true');
    assert.deepEqual(after.spec.volumes, [{ name: 'apitrace', emptyDir: {} }]);
    assert.equal(after.spec.initContainers.length, 1);
    const init = after.spec.initContainers[0];
    assert.equal(init.name, 'apitrace-install');
    assert.equal(init.image, LAYOUT_IMAGE);
    assert.deepEqual(init.command, [
      '/bin/sh',
      '-c',
      'set -e; mkdir -p /apitrace/lib; cp -R /opt/apitrace/. /apitrace/lib/; mkdir -p -m 1777 /apitrace/runs/web',
    ]);
    assert.deepEqual(init.volumeMounts, [{ name: 'apitrace', mountPath: '/apitrace' }]);
    assert.equal(init.securityContext.runAsNonRoot, true);
    assert.equal(init.securityContext.allowPrivilegeEscalation, false);

    const [web] = after.spec.containers;
    assert.equal(web.image, 'node:20');
    assert.deepEqual(web.ports, [{ containerPort: 8080 }]);
    assert.deepEqual(web.env, [
      { name: 'APITRACE_DIR', value: '/apitrace/runs' },
      { name: 'LD_PRELOAD', value: SHIM },
      { name: 'NODE_OPTIONS', value: NODE_IMPORT },
      { name: 'JAVA_TOOL_OPTIONS', value: AGENT },
    ]);
    assertInjectedContainer(web, freshEnv);
    // the log line and the answer travel different pipes: wait for the line
    await serverLogLine(/e2e-7f3c shop\/shop-7d9f: injected into web/);
  });

  it('injects the selected containers of a pod with init containers, volumes and env of its own, appending to their variables', async () => {
    const pod = annotated(
      {
        initContainers: [{ name: 'migrate', image: 'flyway', env: [{ name: 'NODE_OPTIONS', value: '--inspect' }] }],
        volumes: [{ name: 'config', configMap: { name: 'shop' } }],
        containers: [
          {
            name: 'api',
            image: 'node:20',
            env: [
              { name: 'PORT', value: '8080' },
              { name: 'NODE_OPTIONS', value: '--max-old-space-size=512 --enable-source-maps' },
              { name: 'LD_PRELOAD', value: '/usr/lib/libjemalloc.so.2' },
              { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            ],
            volumeMounts: [{ name: 'config', mountPath: '/etc/shop' }],
          },
          { name: 'worker', image: 'eclipse-temurin:17', env: [{ name: 'JAVA_TOOL_OPTIONS', value: '-Xmx256m -Dfile.encoding=UTF-8' }] },
          { name: 'envoy', image: 'envoyproxy/envoy', env: [{ name: 'NODE_OPTIONS', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }] },
        ],
      },
      { 'apitrace.dev/inject': 'true', 'apitrace.dev/container-names': 'api, worker' },
    );
    const answer = await review(pod);
    assert.equal(answer.response.warnings, undefined);
    const after = patched(pod, answer);

    assert.deepEqual(after.spec.volumes, [
      { name: 'config', configMap: { name: 'shop' } },
      { name: 'apitrace', emptyDir: {} },
    ]);
    assert.deepEqual(
      after.spec.initContainers.map((c: Pod) => c.name),
      ['migrate', 'apitrace-install'],
    );
    assert.deepEqual(after.spec.initContainers[0], pod.spec.initContainers[0], 'existing init containers are left alone');
    assert.match(after.spec.initContainers[1].command[2], /mkdir -p -m 1777 \/apitrace\/runs\/api \/apitrace\/runs\/worker$/);

    const [api, worker, envoy] = after.spec.containers;
    assert.deepEqual(api.env.slice(0, 4), [
      { name: 'PORT', value: '8080' },
      { name: 'NODE_OPTIONS', value: `--max-old-space-size=512 --enable-source-maps ${NODE_IMPORT}` },
      { name: 'LD_PRELOAD', value: `${SHIM}:/usr/lib/libjemalloc.so.2` },
      { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ]);
    assertInjectedContainer(api, { APITRACE_DIR: '/apitrace/runs', JAVA_TOOL_OPTIONS: AGENT });
    assert.deepEqual(api.volumeMounts[0], { name: 'config', mountPath: '/etc/shop' });
    assert.equal(api.env.filter((e: Pod) => e.name === 'NODE_OPTIONS').length, 1, 'appended in place, not duplicated');

    assertInjectedContainer(worker, { ...freshEnv, JAVA_TOOL_OPTIONS: `-Xmx256m -Dfile.encoding=UTF-8 ${AGENT}` });
    assert.deepEqual(envoy, pod.spec.containers[2], 'a container not named is untouched, valueFrom and all');
  });

  it('refuses, allowed and unpatched with a warning, when a variable it must append to comes from valueFrom', async () => {
    const pod = annotated({
      containers: [{ name: 'app', image: 'node:20', env: [{ name: 'NODE_OPTIONS', valueFrom: { configMapKeyRef: { name: 'opts', key: 'node' } } }] }],
    });
    const answer = await review(pod);
    unpatched(answer);
    assert.deepEqual(answer.response.warnings, ['apitrace: pod not injected: container app sets NODE_OPTIONS with valueFrom, which cannot be appended to']);

    // Without the node plugin, NODE_OPTIONS is not apitrace's to touch: the pod is injected.
    const withoutNode = annotated(pod.spec, { 'apitrace.dev/inject': 'true', 'apitrace.dev/inject-node': 'false' });
    const after = patched(withoutNode, await review(withoutNode));
    const env = after.spec.containers[0].env;
    assert.deepEqual(env[0], pod.spec.containers[0].env[0]);
    assert.deepEqual(
      env.map((e: Pod) => e.name),
      ['NODE_OPTIONS', 'APITRACE_DIR', 'LD_PRELOAD', 'JAVA_TOOL_OPTIONS'],
    );
  });

  it('is idempotent: the injected pod sent again is not injected twice', async () => {
    const pod = annotated({ containers: [{ name: 'app', image: 'node:20', env: [{ name: 'NODE_OPTIONS', value: '--trace-warnings' }] }] });
    const once = patched(pod, await review(pod));
    const again = await review(once);
    unpatched(again);
    assert.equal(again.response.warnings, undefined);
    assert.equal(once.spec.containers[0].env[0].value, `--trace-warnings ${NODE_IMPORT}`);

    // Even when the marker annotation was lost, the init container gives it away.
    delete once.metadata.annotations['apitrace.dev/injected'];
    unpatched(await review(once));
  });

  it('follows the opt-in: pod annotation on /mutate/pod, namespace label on /mutate/namespace with a per-pod opt-out', async () => {
    const plain = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } };
    unpatched(await review(plain, '/mutate/pod'));
    const inNamespace = patched(plain, await review(plain, '/mutate/namespace'));
    assertInjectedContainer(inNamespace.spec.containers[0], freshEnv);

    const optedOut = annotated(plain.spec, { 'apitrace.dev/inject': 'false' });
    unpatched(await review(optedOut, '/mutate/namespace'));
    unpatched(await review(optedOut, '/mutate/pod'));

    const bad = annotated(plain.spec, { 'apitrace.dev/inject': 'yes' });
    const answer = await review(bad, '/mutate/namespace');
    unpatched(answer);
    assert.deepEqual(answer.response.warnings, ['apitrace: pod not injected: annotation apitrace.dev/inject must be "true" or "false", not "yes"']);
  });

  it('answers a dry run exactly as the real request', async () => {
    const pod = annotated({ containers: [{ name: 'app', image: 'node:20' }] });
    const real = await review(pod);
    const dry = await review(pod, '/mutate/pod', { dryRun: true });
    assert.equal(dry.response.patch, real.response.patch);
    assertInjectedContainer(patched(pod, dry).spec.containers[0], freshEnv);
    assert.match(serverLog, /\(dry run\): injected into app/);
  });

  it('handles pods with missing fields: no metadata, no annotations, no env, no spec, no containers', async () => {
    const bare = { spec: { containers: [{ name: 'app', image: 'busybox' }] } };
    const after = patched(bare, await review(bare, '/mutate/namespace'));
    assert.deepEqual(after.metadata, { annotations: { 'apitrace.dev/injected': 'true' } });
    assertInjectedContainer(after.spec.containers[0], freshEnv);

    const noAnnotations = { metadata: { name: 'x' }, spec: { containers: [{ name: 'app' }] } };
    assert.deepEqual(patched(noAnnotations, await review(noAnnotations, '/mutate/namespace')).metadata, {
      name: 'x',
      annotations: { 'apitrace.dev/injected': 'true' },
    });

    for (const [pod, warning] of [
      [annotated(undefined), 'apitrace: pod not injected: the pod has no spec'],
      [annotated({}), 'apitrace: pod not injected: the pod has no containers'],
      [annotated({ containers: [] }), 'apitrace: pod not injected: the pod has no containers'],
      [annotated({ containers: [{ image: 'no-name' }] }), 'apitrace: pod not injected: container 0 has no valid name'],
      [annotated({ containers: [{ name: 'a', env: 'PATH=/bin' }] }), 'apitrace: pod not injected: container a: env is not a list'],
      [
        annotated({ containers: [{ name: 'a' }], volumes: [{ name: 'apitrace', emptyDir: {} }] }),
        'apitrace: pod not injected: the pod already has a volume named apitrace',
      ],
      [5, 'apitrace: pod not injected: the request holds no pod object'],
    ] as const) {
      const answer = await review(pod);
      unpatched(answer);
      assert.deepEqual(answer.response.warnings, [warning]);
    }
    const noObject = await send(
      '/mutate/pod',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'e2e-7f3c', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE' },
      }),
    );
    assert.equal(noObject.status, 200);
    assert.equal((JSON.parse(noObject.text) as Review).response.allowed, true);
  });

  it('leaves objects that are not pods, and pod updates, alone', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { 'apitrace.dev/inject': 'true' } }, spec: {} };
    const answer = await review(deployment, '/mutate/pod', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    unpatched(answer);
    assert.deepEqual(answer.response.warnings, ['apitrace: only pods are injected, not apps/v1 Deployment']);

    const binding = await review({}, '/mutate/pod', { subResource: 'binding' });
    unpatched(binding);

    const pod = annotated({ containers: [{ name: 'app' }] });
    unpatched(await review(pod, '/mutate/pod', { operation: 'UPDATE', oldObject: pod }));
  });

  it('logs a request whose uid and pod name hold line breaks and escape sequences as one line of escapes', async () => {
    const uid = 'a\nFORGED log line';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-\x1b]0;pwned\x07\u202e', annotations: { 'apitrace.dev/inject': 'true' } },
      spec: { containers: [{ name: 'app' }] },
    };
    const reply = await send('/mutate/pod', admissionReview(pod, { uid, namespace: 'shop\r\nFORGED too' }));
    assert.equal(reply.status, 200, reply.text);
    assert.equal((JSON.parse(reply.text) as Review).response.uid, uid, 'the answer carries the uid exactly');

    const line = await serverLogLine(/^a\\nFORGED log line .*$/m);
    assert.equal(line, 'a\\nFORGED log line shop\\r\\nFORGED too/web-\\x1b]0;pwned\\x07\\u202e: injected into app');
    assert.doesNotMatch(serverLog, /^FORGED/m);
    assert.doesNotMatch(serverLog, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it('serve says which file it cannot read, and exits 2', async () => {
    const r = await runProgram(process.execPath, [CLI, 'webhook', 'serve', '--tls-cert', join(work, 'missing.crt'), '--tls-key', join(work, 'tls.key')], {
      env: cleanEnv(),
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `apitrace: cannot read the TLS certificate ${join(work, 'missing.crt')}: ENOENT (check the path)\n`);
  });

  it('serve refuses a key of another certificate, and files that are not PEM, with one line naming them, and exits 2', async () => {
    const other = makeCertificate(work, 'other');
    const dir = tempDir('webhook-pem');
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const [cert, key, otherKey] = [join(work, 'tls.crt'), join(work, 'tls.key'), file('other.key', other.key)];
    const garbage = file('garbage.pem', '-----BEGIN CERTIFICATE-----\nnot base64 at all\n');
    const empty = file('empty.pem', '');
    const serve = (certFile: string, keyFile: string) =>
      runProgram(process.execPath, [CLI, 'webhook', 'serve', '--tls-cert', certFile, '--tls-key', keyFile, '--host', '127.0.0.1', '--port', '0'], {
        env: cleanEnv(),
      });
    const cases: [string, string, string][] = [
      [
        cert,
        otherKey,
        `apitrace: the TLS key ${otherKey} does not belong to the certificate ${cert}: key values mismatch (give the key the certificate was issued for)\n`,
      ],
      [garbage, key, `apitrace: the TLS certificate ${garbage} is not a PEM certificate: `],
      [empty, key, `apitrace: the TLS certificate ${empty} is not a PEM certificate: `],
      [key, cert, `apitrace: the TLS certificate ${key} is not a PEM certificate: `],
      [cert, garbage, `apitrace: the TLS key ${garbage} is not a PEM private key: `],
      [cert, cert, `apitrace: the TLS key ${cert} is not a PEM private key: `],
      [dir, key, `apitrace: cannot read the TLS certificate ${dir}: not a regular file (give the PEM file itself)\n`],
    ];
    for (const [certFile, keyFile, line] of cases) {
      const r = await serve(certFile, keyFile);
      assert.equal(r.status, 2, `${certFile} ${keyFile}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(line), r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers malformed requests with 400 and one clear line, and oversized ones with 413, and keeps serving', async () => {
    const cases: [string, RegExp][] = [
      ['{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionRev', /^apitrace webhook: malformed AdmissionReview: the body is not JSON: /],
      ['', /^apitrace webhook: malformed AdmissionReview: the body is not JSON: /],
      ['[1, 2]', /^apitrace webhook: malformed AdmissionReview: the body is not a JSON object\n$/],
      [
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'u' } }),
        /expected apiVersion admission\.k8s\.io\/v1 and kind AdmissionReview, got "admission\.k8s\.io\/v1beta1" "AdmissionReview" \(set admissionReviewVersions: \[v1\]/,
      ],
      [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /the AdmissionReview has no request object\n$/],
      [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { object: {} } }), /the AdmissionReview request has no uid\n$/],
    ];
    for (const [body, message] of cases) {
      const reply = await send('/mutate/pod', body);
      assert.equal(reply.status, 400, body);
      assert.match(reply.text, message);
    }

    const huge = admissionReview(annotated({ containers: [{ name: 'app', env: [{ name: 'BLOB', value: 'x'.repeat(70_000) }] }] }));
    const tooLarge = await send('/mutate/pod', huge);
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.text, 'apitrace webhook: request body over 65536 bytes (an AdmissionReview of a pod is far smaller)\n');
    const chunked = await send('/mutate/pod', Buffer.from(huge), 'POST', { 'transfer-encoding': 'chunked' });
    assert.equal(chunked.status, 413);

    // Not HTTP inside TLS, and not TLS at all: answered or dropped, the server lives on.
    const garbage = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }, () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
    await new Promise<void>((resolve) => {
      const plain = createConnection({ host: '127.0.0.1', port }, () => plain.end('POST /mutate/pod HTTP/1.1\r\nhost: x\r\n\r\n'));
      plain.on('close', () => resolve());
      plain.on('error', () => resolve());
      plain.resume();
    });
    await serverLogLine(/TLS handshake failed: /);

    assert.equal((await send('/mutate/pod', '', 'GET')).status, 405);
    assert.equal((await send('/elsewhere', admissionReview({}))).status, 404);
    const health = await send('/healthz', '', 'GET');
    assert.deepEqual(health, { status: 200, text: 'ok\n' });
    assert.equal(server.exitCode, null, 'still running');
    // ...and still answering reviews.
    const pod = annotated({ containers: [{ name: 'app' }] });
    assertInjectedContainer(patched(pod, await review(pod)).spec.containers[0], freshEnv);
  });

  it('cuts off a client that stalls in the TLS handshake, and one that never finishes its headers', async () => {
    const closed = (socket: Socket): Promise<string> =>
      new Promise((resolve) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (text += d));
        socket.on('error', () => undefined);
        socket.once('close', () => resolve(text));
      });
    const silent = createConnection({ host: '127.0.0.1', port });
    let drip: NodeJS.Timeout | undefined;
    const trickle = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }, () => {
      trickle.write('POST /mutate/pod HTTP/1.1\r\nhost: localhost\r\nx-slow: ');
      drip = setInterval(() => trickle.write('x'), 500);
    });
    const [silentSaw, trickleSaw] = await Promise.all([closed(silent), closed(trickle)]);
    clearInterval(drip);
    assert.equal(silentSaw, '');
    assert.match(trickleSaw, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    await serverLogLine(/TLS handshake failed: .*timeout.*/i);
    await serverLogLine(/cut off a client too slow to send its request/);
  });

  it('serves a rotated certificate after SIGHUP, and keeps the current one while the new pair does not match', async () => {
    assert.equal(await peerCommonName(), 'localhost');
    const rotated = makeCertificate(work, 'rotated');
    writeFileSync(join(work, 'tls.crt'), rotated.cert); // the key is not rotated yet
    server.kill('SIGHUP');
    await serverLogLine(/keeping the current certificate: the new one does not load: .*/);
    assert.equal(await peerCommonName(), 'localhost');

    writeFileSync(join(work, 'tls.key'), rotated.key);
    server.kill('SIGHUP');
    await serverLogLine(/now serving the certificate in .*tls\.crt/);
    cert = rotated.cert;
    assert.equal(await peerCommonName(), 'rotated');
    const pod = annotated({ containers: [{ name: 'app' }] });
    assertInjectedContainer(patched(pod, await review(pod)).spec.containers[0], freshEnv);
  });
});
