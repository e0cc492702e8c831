import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const jndiLookup: FindingRule = {
  id: 'jndi-lookup',
  title: 'JNDI lookup',
  severity: 'high',
  cwe: ['CWE-74', 'CWE-917'],
  explanation:
    'A JNDI lookup of a name that can come from data (the Log4Shell pattern) may contact an LDAP or RMI server chosen by an attacker and load ' +
    'a remote object or class from it, which runs code in the JVM.',
  fix: 'Look up only constant names; never build a JNDI name from input. Keep com.sun.jndi.ldap.object.trustURLCodebase and trustSerialData off, and update libraries that do lookups on logged text.',
  match: (o) => o.flags.has('jndi'),
  message: (o) => `${o.api} looks up ${stringArg(o, 'class') ? JSON.stringify(stringArg(o, 'class')) : 'a name'} in ${frameText(callingFrame(o))}`,
  groupKey: (o) => `${o.component}\0${o.api}\0${stringArg(o, 'class') ?? ''}`,
};
