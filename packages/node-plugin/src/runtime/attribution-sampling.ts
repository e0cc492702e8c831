// How often a counted call looks for its caller (a stack capture, 5-15 µs). Totals are always
// exact; only which caller a call is counted for is sampled. The two kinds of wrapped call get
// different policies on purpose:
// - a built-in API (fs, net, crypto, child_process...) is itself a system call or more, feeds
//   spans and stack-read flags (secret_context), and its callers are what findings are about:
//   more calls are attributed one by one, and more of the later ones are looked at;
// - a package export can be a function of a few ns called in a loop (ms, lodash), where a
//   capture would cost more than the call: fewer are attributed one by one, and the interval
//   backs off further while the caller found stays the same.

/** Calls of one built-in API attributed one by one (a stack capture each) before sampling starts. */
export const BUILTIN_ATTRIBUTE_ALL_CALLS = 1024;
/** After that, one built-in call in this many is attributed; the others count for the last caller seen. */
export const BUILTIN_ATTRIBUTE_ONE_IN = 256;

/** Calls of one package export attributed one by one before sampling starts. */
export const EXPORT_ATTRIBUTE_ALL_CALLS = 256;
/** After that, one export call in this many is attributed. A power of two: the test is a mask. */
export const EXPORT_ATTRIBUTE_ONE_IN = 4096;
/** While the caller stays the same the export interval doubles, up to one call in this many. */
export const EXPORT_ATTRIBUTE_ONE_IN_AT_MOST = 262144;
