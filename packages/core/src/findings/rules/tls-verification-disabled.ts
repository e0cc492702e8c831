import { callingFrame, frameText } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const tlsVerificationDisabled: FindingRule = {
  id: 'tls-verification-disabled',
  title: 'TLS peer verification turned off',
  severity: 'high',
  cwe: ['CWE-295'],
  explanation:
    'With SSL_VERIFY_NONE, rejectUnauthorized: false or a trust-all TrustManager, any certificate is accepted: whoever sits on the path ' +
    '(a proxy, a Wi-Fi access point, a compromised router) can impersonate the server and read or change everything sent over the connection.',
  fix: 'Keep verification on (SSL_VERIFY_PEER with a CA store, the default rejectUnauthorized, the default TrustManager); for a private CA, add that CA to the trust store instead of trusting everything.',
  match: (o) => o.flags.has('verify_none'),
  message: (o) => `${o.api} turns TLS peer verification off in ${frameText(callingFrame(o))}`,
};
