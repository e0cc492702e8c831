// Where the built pieces of this checkout are, for the end-to-end tests.
import { fileURLToPath } from 'node:url';

// test/dist/support/ -> repository root
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = `${REPO_ROOT}packages/core/bin/apitrace.js`;
export const NATIVE_SHIM = `${REPO_ROOT}packages/native-shim/build/libapitrace.so`;
export const NODE_PLUGIN = `${REPO_ROOT}packages/node-plugin/dist/src/index.js`;
export const JVM_AGENT = `${REPO_ROOT}packages/jvm-agent/target/apitrace.jar`;
export const FIXTURES = `${REPO_ROOT}test/fixtures/`;
