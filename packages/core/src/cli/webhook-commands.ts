// `apitrace webhook serve` and `apitrace webhook manifests`.
import { Command, InvalidArgumentError, Option } from 'commander';
import { nodeEntryInLayout } from '../deploy/container-layout.js';
import { DEFAULT_MAX_BODY_BYTES, createWebhookServer } from '../deploy/webhook-server.js';
import { webhookManifests } from '../deploy/webhook-manifests.js';
import { loadServingCertificate, readPemFile, ServingCertificateError, watchServingCertificate } from '../deploy/serving-certificate.js';
import { locatePlugins } from '../own/plugin-artifacts.js';
import { UserError } from '../base/user-error.js';

function wholeNumber(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A certificate or key file the user gave that cannot serve is the user's error: one line, exit 2. */
function asUserError<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ServingCertificateError) throw new UserError(err.message, err.advice);
    throw err;
  }
}

interface ServeFlags {
  tlsCert: string;
  tlsKey: string;
  port: number;
  host: string;
  image: string;
  maxBodyBytes: number;
}

interface ManifestFlags {
  namespace: string;
  image: string;
  serverImage?: string;
  caFile?: string;
  timeout: number;
  replicas: number;
}

export function registerWebhookCommands(program: Command, version: string, setStatus: (status: number) => void, log: (line: string) => void): void {
  const defaultImage = `apitrace-layout:${version}`;
  const webhook = program.command('webhook').description('the Kubernetes mutating admission webhook that injects apitrace into pods');

  webhook
    .command('serve')
    .description(
      'serve the webhook over HTTPS (AdmissionReview admission.k8s.io/v1) until SIGTERM or SIGINT; a rotated certificate is picked up within a minute, or at SIGHUP',
    )
    .requiredOption('--tls-cert <file>', 'PEM certificate the API server trusts (through the caBundle)')
    .requiredOption('--tls-key <file>', 'PEM private key of that certificate')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').default(8443).argParser(wholeNumber(0, 65535)))
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--image <image>', 'image holding the container layout at /opt/apitrace, for the init container', defaultImage)
    .addOption(new Option('--max-body-bytes <n>', 'largest request body accepted').default(DEFAULT_MAX_BODY_BYTES).argParser(wholeNumber(1, 64 << 20)))
    .action(async (flags: ServeFlags) => {
      const files = { certFile: flags.tlsCert, keyFile: flags.tlsKey };
      const pair = asUserError(() => loadServingCertificate(files));
      const server = createWebhookServer({
        ...pair,
        settings: { image: flags.image, nodeEntry: nodeEntryInLayout(locatePlugins().node.path) },
        maxBodyBytes: flags.maxBodyBytes,
        log,
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          reject(new UserError(`cannot listen on ${flags.host}:${flags.port}: ${err.code ?? err.message}`, 'choose another --port or --host'));
        });
        server.listen(flags.port, flags.host, () => {
          const address = server.address();
          const port = typeof address === 'object' && address ? address.port : flags.port;
          log(`apitrace webhook: listening on https://${flags.host}:${port} (image ${flags.image})`);
          resolve();
        });
      });
      const certificate = watchServingCertificate(server, files, pair, log);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          certificate.stop();
          log('apitrace webhook: stopping');
          server.close(() => resolve());
          server.closeIdleConnections();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      setStatus(0);
    });

  webhook
    .command('manifests')
    .description('print the MutatingWebhookConfiguration, Service and Deployment as YAML, for kubectl apply -f -')
    .option('-n, --namespace <namespace>', 'namespace the webhook runs in', 'apitrace-system')
    .option('--image <image>', 'image holding the container layout at /opt/apitrace (apitrace layout writes its Dockerfile)', defaultImage)
    .option('--server-image <image>', 'image whose entrypoint is apitrace, to run the webhook (default: apitrace:<version>)')
    .option('--ca-file <pem>', 'CA certificate that signed the serving certificate, embedded as caBundle (default: cert-manager injects it)')
    .addOption(new Option('--timeout <seconds>', 'timeoutSeconds of the webhook').default(5).argParser(wholeNumber(1, 30)))
    .addOption(new Option('--replicas <n>', 'webhook replicas').default(2).argParser(wholeNumber(1, 100)))
    .action((flags: ManifestFlags) => {
      process.stdout.write(
        webhookManifests({
          namespace: flags.namespace,
          layoutImage: flags.image,
          serverImage: flags.serverImage ?? `apitrace:${version}`,
          ...(flags.caFile ? { caBundlePem: asUserError(() => readPemFile(flags.caFile!, 'CA certificate')).toString('utf8') } : {}),
          timeoutSeconds: flags.timeout,
          replicas: flags.replicas,
        }),
      );
      setStatus(0);
    });
}
