import { callerIsDistribution, callerIsRuntime, frameText, callingFrame } from '../observation-facts.js';
import { apiName, type FindingRule } from '../rule.js';

export const unsafeCString: FindingRule = {
  id: 'unsafe-c-string',
  title: 'Unbounded C string function',
  severity: 'medium',
  cwe: ['CWE-120', 'CWE-676'],
  explanation:
    'strcpy, strcat, sprintf, gets and their relatives copy until a terminating NUL without knowing the size of the destination. ' +
    'One input longer than the caller assumed overwrites adjacent memory (a buffer overflow), which attackers turn into code execution. ' +
    'Reported per calling library that ships with the application (its own executables, bundled or npm/Maven native libraries); ' +
    "the runtimes and the distribution's own packages are left to their vendors.",
  fix: 'Use the bounded forms with the destination size: snprintf, strlcpy/strlcat (glibc 2.38+, libbsd) or memcpy with a checked length; never gets (use fgets).',
  match: (o) => o.flags.has('unsafe_string') && !callerIsRuntime(o) && !callerIsDistribution(o),
  message: (o) => `${apiName(o.api)}() called by ${o.caller?.name ?? o.component} in ${frameText(callingFrame(o))}`,
  perCaller: true,
};
