// Built-in Node APIs recorded as spans with JS stacks (fs, child_process, net, tls, dgram,
// dns, http, https, http2, crypto, Math.random, vm, worker_threads, process.dlopen, zlib).
export { BuiltinPatcher, checkLoadedBuiltins, installBuiltinRecorders } from './install.js';
export { BUILTIN_CLASSES, BUILTIN_PATCHES, NOT_INSTRUMENTED, type BuiltinPatch } from './definitions.js';
export { mirrorFunction, patchMethod, recordingConstructor, recordingWrapper, type ApiDefinition, type CallFacts } from './api-wrapper.js';
export { installApiRecorders } from './api-recorders.js';
