import { callerIsDistribution, callerIsRuntime, callingFrame, frameText } from '../observation-facts.js';
import type { FindingRule } from '../rule.js';

export const writableExecutableMemory: FindingRule = {
  id: 'writable-executable-memory',
  title: 'Memory writable and executable at once',
  severity: 'medium',
  cwe: ['CWE-119', 'CWE-693'],
  explanation:
    'A mapping that is writable and executable at the same time (mmap or mprotect with PROT_WRITE|PROT_EXEC) defeats W^X: any memory-corruption ' +
    "bug that writes there becomes code execution. Reported for code that ships with the application; the JIT compilers of the runtimes (V8 in node, HotSpot in libjvm.so) and the distribution's packages do this by design and are left to their vendors.",
  fix: 'Map memory writable, fill it, then mprotect it to PROT_READ|PROT_EXEC (never both W and X); for generated code use two views of a memfd, one writable and one executable.',
  match: (o) => o.flags.has('wx_memory') && !callerIsRuntime(o) && !callerIsDistribution(o),
  message: (o) => `${o.api} makes memory writable and executable (${o.subject ?? String(o.args['prot'] ?? 'rwx')}) in ${frameText(callingFrame(o))}`,
  perCaller: true,
};
