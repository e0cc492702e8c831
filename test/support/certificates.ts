// Self-signed serving certificates for the webhook tests.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `<commonName>.crt` and `.key` into dir (valid for localhost and 127.0.0.1) and returns their PEM text. */
export function makeCertificate(dir: string, commonName: string): { cert: string; key: string } {
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
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, `${commonName}.key`),
      '-out',
      join(dir, `${commonName}.crt`),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  return { cert: readFileSync(join(dir, `${commonName}.crt`), 'utf8'), key: readFileSync(join(dir, `${commonName}.key`), 'utf8') };
}
