// The plugin's in-process runtime: everything the recorders (built-ins, web, db, export
// wrapping, function probes) share. One instance per process or worker thread.
//
// API (small on purpose; everything else in runtime/ is internal):
//
//   Recorder.start(dir)      creates this thread's event file (<pid>-node-<seq>.jsonl), writes
//                            process_start (origin "start" on the main thread, "thread" in a
//                            worker), flushes every FLUSH_INTERVAL_MS on an unref'd timer and
//                            at exit (then process_end). undefined + one stderr line when the
//                            directory cannot be written. Never throws.
//   activeRecorder()         the recorder of this thread, or undefined when recording is off.
//   r.write(record)          any record as is (code_unit, function_inventory, notice).
//   r.gate(api, category)    per-API state; create once per API at patch time.
//   r.beginCall(gate, skip, subject?, flags?, inspect?)
//                            per call: SpanStart {caller, stack} when the call is to be written
//                            as a span (then time it and call r.writeCall), undefined when it
//                            was counted in api_usage instead, or is not the application's
//                            (made by this plugin, or by Node's module loader reading sources). A call is either a `call` record
//                            or counted in api_usage, never both. Bounds: the first
//                            SPANS_PER_CALLER calls per (api, caller) are spans; the first
//                            BUILTIN_ATTRIBUTE_ALL_CALLS calls of an API capture a stack each, later
//                            only one in BUILTIN_ATTRIBUTE_ONE_IN does and the calls in between count
//                            for the last caller seen (the hot path is then a counter).
//                            inspect(sites, caller) may add flags (secret_context, ...);
//                            gate.skipUnder names a directory whose frames are not callers.
//                            Hot wrappers call gate.sampledOut() first (a counter) and then
//                            r.attributeCall(...) with the same arguments as beginCall.
//   r.writeCall(call)        writes one span (tid added here).
//   r.stackHere(skip)        {caller, stack} of the current stack, stack record written once.
//   r.countApi(count)        adds to api_usage (key: api, caller, subject; deltas per flush).
//   r.countWeb(count)        adds to web_api (key: direction, method, host, route, status).
//   r.onFlush(hook)          hook adds records before every flush and the last one at exit.
//   r.onExit(hook)           hook runs once at exit, before the final flush.
//   r.fault()                counts a fault of ours; reported as a notice, never thrown.
//   guard / ownWork(fn)      re-entrancy guard: patched APIs pass through while depth > 0.
//   nowNs()                  CLOCK_MONOTONIC ns (process.hrtime.bigint()) as a number.
//   owningPackage(file), codeUnitOf(file)
//                            {name, version, root} of the nearest named package.json (cached
//                            per directory); the unit path used for caller and frames[].unit.
//   osThreadId()             gettid() of this thread via /proc/thread-self, cached per thread.
//   captureCallSites, callerUnit, framesOf, isInternalFile, siteFile
//                            V8 structured stacks, for recorders that need the raw call sites.
export {
  activeRecorder,
  ApiGate,
  FLUSH_INTERVAL_MS,
  guard,
  nowNs,
  ownWork,
  PLUGIN_VERSION,
  Recorder,
  SPANS_PER_CALLER,
  type CallerPosition,
  type CallRecord,
  type Origin,
  type SiteInspector,
  type SpanStart,
} from './recorder.js';
export * from './attribution-sampling.js';
export {
  captureCallSites,
  callerSite,
  callerUnit,
  framesOf,
  isInternalFile,
  isOwnOrLoaderCall,
  isPluginFile,
  siteFile,
  StackTable,
  type Frame,
} from './js-stack.js';
export { codeUnitOf, owningPackage, type OwningPackage } from './owning-package.js';
export { osThreadId } from './thread-id.js';
export type { ApiCount, ApiUsageRecord, Category, WebApiRecord, WebCount } from './usage-tables.js';
