// The workload of bench/node-loop.mjs: a tight loop calling a package function that the plugin
// both wraps (its export) and probes (its body). Prints nanoseconds per call of the timed loop,
// wall-clock and CPU time.
'use strict';

const workloads = {
  // ms('2 days'): a small parse, about 100 ns
  ms: () => {
    const ms = require('ms');
    return (i) => ms(i & 1 ? '2 days' : '1.5h');
  },
  // semver.satisfies: a realistic library call, about 1 µs
  semver: () => {
    const semver = require('semver');
    return (i) => semver.satisfies(i & 1 ? '1.2.3' : '2.0.0', '^1.0.0');
  },
  // lodash clamp: next to nothing inside, the worst case for any per-call overhead
  'lodash.clamp': () => {
    const _ = require('lodash');
    return (i) => _.clamp(i, 0, 100);
  },
};

const [name, callsArg] = process.argv.slice(2);
const call = workloads[name]();
const calls = Number(callsArg);
let sink = 0;
for (let i = 0; i < calls / 10; i++) sink += call(i) ? 1 : 0; // warm-up: let the JIT settle
const cpuStarted = process.cpuUsage();
const started = process.hrtime.bigint();
for (let i = 0; i < calls; i++) sink += call(i) ? 1 : 0;
const ns = Number(process.hrtime.bigint() - started) / calls;
const cpu = process.cpuUsage(cpuStarted);
// CPU time as well: on a loaded machine wall time mostly measures the wait for a core
process.stdout.write(`${ns} ${((cpu.user + cpu.system) * 1000) / calls} ${sink}\n`);
