import { callingFrame, frameText, stackSaysSecret, stringArg } from '../observation-facts.js';
import type { FindingRule, Observation } from '../rule.js';

// MD5 and SHA-1 are fine as checksums and cache keys; they are findings when they protect something.
const HASH_ONLY = /^(md5|sha-?1|hmac-?md5|rsa-md5)$/i;

function algorithmOf(o: Observation): string | undefined {
  return stringArg(o, 'algorithm') ?? (o.category === 'crypto' ? o.subject : undefined);
}

export const weakCrypto: FindingRule = {
  id: 'weak-crypto',
  title: 'Weak cipher or hash',
  severity: 'medium',
  cwe: ['CWE-327', 'CWE-328'],
  explanation:
    'DES and RC4 are broken ciphers; ECB mode encrypts equal blocks to equal ciphertext and shows the structure of the data; ' +
    'MD5 and SHA-1 have practical collisions and are far too fast for passwords. Reported for ciphers always, and for MD5/SHA-1 when used in a ' +
    'function that makes or checks a secret (a password, token, key or signature).',
  fix: 'Use AES-GCM or ChaCha20-Poly1305 for encryption, SHA-256 or better for integrity, HMAC-SHA-256 for message authentication, and scrypt, Argon2, bcrypt or PBKDF2 for passwords.',
  match: (o) => {
    if (!o.flags.has('weak_algorithm')) return false;
    const algorithm = algorithmOf(o);
    return algorithm === undefined || !HASH_ONLY.test(algorithm) || o.flags.has('secret_context') || stackSaysSecret(o);
  },
  message: (o) => `${o.api} uses ${algorithmOf(o) ?? 'a weak algorithm'} in ${frameText(callingFrame(o))}`,
  groupKey: (o) => `${o.component}\0${o.api}\0${algorithmOf(o) ?? ''}`,
};
