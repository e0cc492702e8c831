// Loads the webhook's serving certificate, checked (each file PEM of its kind, the key the
// certificate's), and keeps it current. cert-manager and `kubectl create secret`
// rotate the mounted files in place; the kubelet never signals the process. So the files are
// read again now and then (and on SIGHUP), and a new pair is taken only once it loads.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';

export const CERTIFICATE_CHECK_MS = 60_000;
/** A certificate chain or key is a few kilobytes; a path to something far bigger is a mistake. */
const MAX_PEM_BYTES = 1024 * 1024;

/** A certificate or key file that cannot serve: what is wrong, naming the file(s), and what to do. */
export class ServingCertificateError extends Error {
  constructor(
    message: string,
    readonly advice: string,
  ) {
    super(message);
  }
}

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface CertificateWatch {
  /** re-reads the files now; says what happened, for the log */
  check(): string | undefined;
  stop(): void;
}

/** OpenSSL's reason ("key values mismatch") rather than its whole error string. */
function opensslReason(err: unknown): string {
  return (err as { reason?: string }).reason ?? (err as Error).message;
}

/** A PEM file's bytes: a regular file (a FIFO or a device is refused, not read) of bounded size. */
export function readPemFile(path: string, what: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ServingCertificateError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ServingCertificateError(`cannot read the ${what} ${path}: not a regular file`, 'give the PEM file itself');
    if (stat.size > MAX_PEM_BYTES)
      throw new ServingCertificateError(`cannot read the ${what} ${path}: over ${MAX_PEM_BYTES} bytes`, 'give the PEM file itself');
    return readFileSync(fd);
  } catch (err) {
    if (err instanceof ServingCertificateError) throw err;
    throw new ServingCertificateError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path');
  } finally {
    closeSync(fd);
  }
}

/** Reads a certificate and its key, checked as checkServingPair does. */
export function loadServingCertificate(files: CertificateFiles): { cert: Buffer; key: Buffer } {
  const pair = { cert: readPemFile(files.certFile, 'TLS certificate'), key: readPemFile(files.keyFile, 'TLS key') };
  checkServingPair(pair, files);
  return pair;
}

/** Says which file is not PEM of its kind, or that the key does not belong to the certificate. */
function checkServingPair(pair: { cert: Buffer; key: Buffer }, files: CertificateFiles): void {
  try {
    new X509Certificate(pair.cert);
  } catch (err) {
    throw new ServingCertificateError(
      `the TLS certificate ${files.certFile} is not a PEM certificate: ${opensslReason(err)}`,
      'give the PEM file of the serving certificate',
    );
  }
  try {
    createPrivateKey(pair.key);
  } catch (err) {
    throw new ServingCertificateError(
      `the TLS key ${files.keyFile} is not a PEM private key: ${opensslReason(err)}`,
      'give the unencrypted PEM file of its private key',
    );
  }
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new ServingCertificateError(
      `the TLS key ${files.keyFile} does not belong to the certificate ${files.certFile}: ${opensslReason(err)}`,
      'give the key the certificate was issued for',
    );
  }
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
      next = { cert: readPemFile(files.certFile, 'TLS certificate'), key: readPemFile(files.keyFile, 'TLS key') };
    } catch (err) {
      return `apitrace webhook: keeping the current certificate: ${(err as Error).message}`;
    }
    if (next.cert.equals(current.cert) && next.key.equals(current.key)) return undefined;
    try {
      // Throws when the key does not match the certificate (a rotation caught half-way).
      checkServingPair(next, files);
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
