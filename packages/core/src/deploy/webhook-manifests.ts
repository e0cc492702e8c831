// `apitrace webhook manifests`: the Kubernetes objects that run the webhook and register it:
// MutatingWebhookConfiguration, Service and Deployment, as one multi-document YAML.
import { stringify } from 'yaml';
import { NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE } from './pod-injection.js';
import { WEBHOOK_PATHS } from './webhook-server.js';

export interface ManifestOptions {
  namespace: string;
  /** the image holding the layout, copied into each injected pod by the init container */
  layoutImage: string;
  /** the image whose entrypoint is `apitrace` and that runs `apitrace webhook serve` */
  serverImage: string;
  /** PEM of the CA that signed the serving certificate; without it cert-manager must inject one */
  caBundlePem?: string;
  timeoutSeconds: number;
  replicas: number;
}

export const WEBHOOK_NAME = 'apitrace-webhook';
export const TLS_SECRET_NAME = 'apitrace-webhook-tls';
const SERVING_PORT = 8443;
const APP_LABELS = { 'app.kubernetes.io/name': WEBHOOK_NAME, 'app.kubernetes.io/part-of': 'apitrace' };

function webhook(name: string, path: string, options: ManifestOptions, namespaceSelector: object): object {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: {
      service: { name: WEBHOOK_NAME, namespace: options.namespace, path, port: 443 },
      ...(options.caBundlePem ? { caBundle: Buffer.from(options.caBundlePem).toString('base64') } : {}),
    },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
    // Never block a pod: when the webhook is down or slow, pods are created uninjected.
    failurePolicy: 'Ignore',
    sideEffects: 'None',
    timeoutSeconds: options.timeoutSeconds,
    matchPolicy: 'Equivalent',
    reinvocationPolicy: 'Never',
    namespaceSelector,
    // The webhook never injects itself.
    objectSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: [WEBHOOK_NAME] }] },
  };
}

function mutatingWebhookConfiguration(options: ManifestOptions): object {
  const systemNamespaces = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease', options.namespace] };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: 'apitrace',
      labels: APP_LABELS,
      ...(options.caBundlePem ? {} : { annotations: { 'cert-manager.io/inject-ca-from': `${options.namespace}/${WEBHOOK_NAME}` } }),
    },
    webhooks: [
      // Namespaces labelled apitrace.dev/inject=enabled: every pod unless annotated "false".
      webhook('namespace.inject.apitrace.dev', WEBHOOK_PATHS.namespace, options, {
        matchLabels: { [NAMESPACE_LABEL]: NAMESPACE_LABEL_VALUE },
      }),
      // Every other namespace: pods annotated apitrace.dev/inject: "true".
      webhook('pod.inject.apitrace.dev', WEBHOOK_PATHS.pod, options, {
        matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'NotIn', values: [NAMESPACE_LABEL_VALUE] }, systemNamespaces],
      }),
    ],
  };
}

function service(options: ManifestOptions): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: APP_LABELS },
    spec: { selector: { 'app.kubernetes.io/name': WEBHOOK_NAME }, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  };
}

function deployment(options: ManifestOptions): object {
  const probe = { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: APP_LABELS },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': WEBHOOK_NAME } },
      template: {
        metadata: { labels: APP_LABELS },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'webhook',
              image: options.serverImage,
              args: [
                'webhook',
                'serve',
                '--tls-cert',
                '/tls/tls.crt',
                '--tls-key',
                '/tls/tls.key',
                '--port',
                String(SERVING_PORT),
                '--image',
                options.layoutImage,
              ],
              ports: [{ name: 'https', containerPort: SERVING_PORT, protocol: 'TCP' }],
              readinessProbe: probe,
              livenessProbe: probe,
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
            },
          ],
          volumes: [{ name: 'tls', secret: { secretName: TLS_SECRET_NAME } }],
        },
      },
    },
  };
}

export function webhookManifests(options: ManifestOptions): string {
  return [mutatingWebhookConfiguration(options), service(options), deployment(options)].map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
