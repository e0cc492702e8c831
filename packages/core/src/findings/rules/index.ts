// The rule set, in the order results are listed. Adding a rule is one file here and one line below.
import type { FindingRule } from '../rule.js';
import { jndiLookup } from './jndi-lookup.js';
import { plainHttpSecret } from './plain-http-secret.js';
import { shellExecution } from './shell-execution.js';
import { sqlConcatenation } from './sql-concatenation.js';
import { tlsVerificationDisabled } from './tls-verification-disabled.js';
import { unsafeCString } from './unsafe-c-string.js';
import { unsafeDeserialization } from './unsafe-deserialization.js';
import { weakCrypto } from './weak-crypto.js';
import { weakRandomSecret } from './weak-random-secret.js';
import { worldWritableFile } from './world-writable-file.js';
import { writableExecutableMemory } from './writable-executable-memory.js';

export const FINDING_RULES: readonly FindingRule[] = [
  unsafeDeserialization,
  jndiLookup,
  shellExecution,
  sqlConcatenation,
  tlsVerificationDisabled,
  plainHttpSecret,
  weakRandomSecret,
  weakCrypto,
  unsafeCString,
  writableExecutableMemory,
  worldWritableFile,
];
