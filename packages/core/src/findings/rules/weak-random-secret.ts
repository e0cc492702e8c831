import { callingFrame, frameText, nativeCallerSaysSecret } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const weakRandomSecret: FindingRule = {
  id: 'weak-random-secret',
  title: 'Predictable random numbers used for a secret',
  severity: 'high',
  cwe: ['CWE-338', 'CWE-330'],
  explanation:
    'rand(), Math.random and java.util.Random are fast, predictable generators: a few outputs reveal the internal state and every later value. ' +
    'Here one was called while making a token, key, password, salt or nonce, so an attacker who sees some of them can predict the next.',
  fix: 'Use the cryptographic generator of the platform: getrandom(2) or RAND_bytes in C, crypto.randomBytes / crypto.randomUUID in Node, java.security.SecureRandom in Java.',
  // the language emitters flag secret_context from their stacks; the shim cannot name functions,
  // so for its calls the named native calling site decides
  match: (o) => o.flags.has('weak_random') && (o.flags.has('secret_context') || (o.source === 'native' && nativeCallerSaysSecret(o))),
  message: (o) => `${o.api} makes a secret in ${frameText(callingFrame(o))}`,
  // seeding and drawing in the same function (srand, then rand) are one weakness at one place
  groupKey: (o) => o.component,
};
