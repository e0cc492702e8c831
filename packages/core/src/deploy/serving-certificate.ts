// Keeps the webhook's serving certificate current. cert-manager and `kubectl create secret`
// rotate the mounted files in place; the kubelet never signals the process. So the files are
// read again now and then (and on SIGHUP), and a new pair is taken only once it loads.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';

export const CERTIFICATE_CHECK_MS = 60_000;

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface CertificateWatch {
  /** re-reads the files now; says what happened, for the log */
  check(): string | undefined;
  stop(): void;
}

export function watchServingCertificate(
  server: Server,
  files: CertificateFiles,
  first: { cert: Buffer; key: Buffer },
  log: (line: string) => void,
): CertificateWatch {
  let current = first;
  const check = (): string | undefined => {
    let next: { cert: Buffer; key: Buffer };
    try {
      next = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
    } catch (err) {
      return `apitrace webhook: keeping the current certificate: cannot read ${(err as NodeJS.ErrnoException).path ?? 'it'}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (next.cert.equals(current.cert) && next.key.equals(current.key)) return undefined;
    try {
      // Throws when the key does not match the certificate (a rotation caught half-way).
      createSecureContext(next);
      server.setSecureContext(next);
    } catch (err) {
      return `apitrace webhook: keeping the current certificate: the new one does not load: ${(err as Error).message}`;
    }
    current = next;
    return `apitrace webhook: now serving the certificate in ${files.certFile}`;
  };
  const report = (): void => {
    const line = check();
    if (line) log(line);
  };
  const timer = setInterval(report, CERTIFICATE_CHECK_MS);
  timer.unref();
  process.on('SIGHUP', report);
  return {
    check,
    stop() {
      clearInterval(timer);
      process.off('SIGHUP', report);
    },
  };
}
