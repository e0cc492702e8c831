import { callingFrame, frameText, stringArg } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const unsafeDeserialization: FindingRule = {
  id: 'unsafe-deserialization',
  title: 'Unsafe deserialization',
  severity: 'critical',
  cwe: ['CWE-502'],
  explanation:
    'Native object deserialization (java.io.ObjectInputStream.readObject, and its equivalents) builds whatever classes the byte stream names ' +
    'and runs their readObject/readResolve code: with a gadget chain on the classpath, attacker-supplied bytes execute code.',
  fix: 'Do not deserialize untrusted data with native serialization; use a data format (JSON with explicit types). If it must stay, set an ObjectInputFilter (JEP 290) that allows only the expected classes.',
  match: (o) => o.flags.has('deserialize'),
  message: (o) => `${o.api} deserializes${stringArg(o, 'class') ? ` ${stringArg(o, 'class')}` : ' an object'} in ${frameText(callingFrame(o))}`,
};
