import { strict as assert } from 'node:assert';
import { parseAllDocuments } from 'yaml';
import { webhookManifests } from '../../src/deploy/webhook-manifests.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are free-form here */
function documents(caBundlePem?: string): any[] {
  const text = webhookManifests({
    namespace: 'tracing',
    layoutImage: 'reg/apitrace-layout:1',
    serverImage: 'reg/apitrace:1',
    timeoutSeconds: 7,
    replicas: 2,
    ...(caBundlePem ? { caBundlePem } : {}),
  });
  return parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS();
  });
}

describe('webhookManifests', () => {
  it('prints a MutatingWebhookConfiguration that never blocks pods, a Service and a Deployment', () => {
    const [mwc, service, deployment] = documents('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    assert.equal(mwc.kind, 'MutatingWebhookConfiguration');
    assert.equal(mwc.apiVersion, 'admissionregistration.k8s.io/v1');
    assert.equal(mwc.metadata.annotations, undefined);
    assert.deepEqual(
      mwc.webhooks.map((w: any) => [w.name, w.clientConfig.service.path]),
      [
        ['namespace.inject.apitrace.dev', '/mutate/namespace'],
        ['pod.inject.apitrace.dev', '/mutate/pod'],
      ],
    );
    for (const w of mwc.webhooks) {
      assert.equal(w.failurePolicy, 'Ignore');
      assert.equal(w.sideEffects, 'None');
      assert.equal(w.timeoutSeconds, 7);
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.deepEqual(w.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }]);
      assert.deepEqual(w.clientConfig.service, { name: 'apitrace-webhook', namespace: 'tracing', path: w.clientConfig.service.path, port: 443 });
      assert.equal(Buffer.from(w.clientConfig.caBundle, 'base64').toString(), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      assert.deepEqual(w.objectSelector, { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['apitrace-webhook'] }] });
    }
    assert.deepEqual(mwc.webhooks[0].namespaceSelector, { matchLabels: { 'apitrace.dev/inject': 'enabled' } });
    assert.deepEqual(mwc.webhooks[1].namespaceSelector.matchExpressions, [
      { key: 'apitrace.dev/inject', operator: 'NotIn', values: ['enabled'] },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease', 'tracing'] },
    ]);

    assert.equal(service.kind, 'Service');
    assert.deepEqual(service.spec.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    assert.deepEqual(service.spec.selector, { 'app.kubernetes.io/name': 'apitrace-webhook' });

    assert.equal(deployment.kind, 'Deployment');
    assert.equal(deployment.metadata.namespace, 'tracing');
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.image, 'reg/apitrace:1');
    assert.deepEqual(container.args, [
      'webhook',
      'serve',
      '--tls-cert',
      '/tls/tls.crt',
      '--tls-key',
      '/tls/tls.key',
      '--port',
      '8443',
      '--image',
      'reg/apitrace-layout:1',
    ]);
    assert.equal(container.readinessProbe.httpGet.path, '/healthz');
    assert.deepEqual(deployment.spec.template.spec.volumes, [{ name: 'tls', secret: { secretName: 'apitrace-webhook-tls' } }]);
    assert.deepEqual(deployment.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'apitrace-webhook' });
    assert.equal(deployment.spec.template.metadata.labels['app.kubernetes.io/name'], 'apitrace-webhook');
  });

  it('leaves the caBundle to cert-manager when no CA is given', () => {
    const [mwc] = documents();
    assert.deepEqual(mwc.metadata.annotations, { 'cert-manager.io/inject-ca-from': 'tracing/apitrace-webhook' });
    for (const w of mwc.webhooks) assert.equal(w.clientConfig.caBundle, undefined);
  });
});
