import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const plainHttpSecret: FindingRule = {
  id: 'plain-http-secret',
  title: 'Secret sent over plain HTTP',
  severity: 'high',
  cwe: ['CWE-319'],
  explanation:
    'An HTTP request that carried credentials or a secret (an Authorization header, a cookie, a token or password) went out without TLS: ' +
    'anyone on the network path can read it and replay it.',
  fix: 'Send it over https:// (with certificate verification on); keep plain http only for requests that carry nothing secret.',
  match: (o) => o.flags.has('plain_http'),
  message: (o) =>
    `${o.api} sends a secret without TLS to ${stringArg(o, 'url') ?? stringArg(o, 'peer') ?? o.subject ?? 'a server'} in ${frameText(callingFrame(o))}`,
  groupKey: (o) => `${o.component}\0${o.api}\0${stringArg(o, 'url') ?? o.subject ?? ''}`,
};
