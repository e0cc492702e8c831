// Writes a run directory that a hostile process (or container image) could write: one event file
// of N schema-valid records that are all distinct, so nothing aggregates. It is what memory bounds
// of the analysis are measured on; the end-to-end test of those bounds runs it too.
// Usage: node bench/hostile-events.mjs <kind>[,<kind>...] <records> <dir>
//   kinds: stacks, frameunits, usages, units, notices, functions, webapis, ownpaths, spans, firststacks, mix
//   (mix: the kinds in turn, each at records / kinds). Then measure, e.g.:
//   /usr/bin/time -v node packages/core/bin/apitrace.js sbom <dir> --format cyclonedx >/dev/null
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

// above the largest pid Linux hands out (2^22): never the file of a real process of the run
const PID = 4_194_305;

/**
 * One generator of records per kind; `i` counts from 0, every record differs from the others.
 * Stack ids are `base` + i + 1, so that kinds mixed in one file do not redefine each other's.
 */
const KINDS = {
  // a stack record, then a usage that refers to it (the same usage each time)
  stacks: (i, base) =>
    i % 2 === 0
      ? { kind: 'stack', id: base + i + 1, frames: [{ lang: 'native', fn: `f${i}`, addr: `0x${i.toString(16)}` }] }
      : { kind: 'api_usage', api: 'libc:read', category: 'file', caller: '/usr/bin/hostile', count: 1, first_t: 10, last_t: 10, tid: PID, stack: base + i },
  // stacks whose frames name a code unit each: a component each, as far as the analysis makes them
  frameunits: (i, base) => ({ kind: 'stack', id: base + i + 1, frames: [{ lang: 'native', fn: 'f', unit: `/opt/hostile/lib${i}.so` }] }),
  usages: (i) => ({
    kind: 'api_usage',
    api: 'libc:open',
    category: 'file',
    caller: '/usr/bin/hostile',
    subject: `/data/${i}`,
    count: 1,
    first_t: 10 + i,
    last_t: 10 + i,
  }),
  units: (i) => ({ kind: 'code_unit', t: 10 + i, unit: 'shared_object', how: 'dlopen', path: `/opt/hostile/lib${i}.so`, soname: `lib${i}.so` }),
  notices: (i) => ({ kind: 'notice', level: 'info', code: `code${i}`, message: 'hostile', count: 1, t: 10 + i }),
  functions: (i) => ({
    kind: 'function_inventory',
    t: 10,
    unit: '/opt/hostile/app.jar',
    scope: `C${i}`,
    loaded: true,
    functions: [{ name: `m${i}`, ran: true, hits: 1 }],
  }),
  webapis: (i) => ({ kind: 'web_api', direction: 'served', method: 'GET', route: `/r/${i}`, status: 200, count: 1, first_t: 10 + i, last_t: 10 + i }),
  ownpaths: (i) => ({ kind: 'own_activity', t: 10 + i, paths: [`/own/${i}`], tids: [100_000 + i] }),
  // language calls: each is a span the native events of the same pid could join
  spans: (i) => ({
    kind: 'call',
    api: 'node:fs.readFileSync',
    category: 'file',
    tid: PID,
    t0: 10 + 2 * i,
    t1: 11 + 2 * i,
    caller: '/srv/app',
    args: { path: `/data/${i}` },
  }),
  // one usage whose first use keeps moving earlier, each time with a stack of its own
  firststacks: (i, base) =>
    i % 2 === 0
      ? { kind: 'stack', id: base + i + 1, frames: [{ lang: 'js', fn: `f${i}`, file: '/srv/app/a.js', line: 1 }] }
      : {
          kind: 'api_usage',
          api: 'libc:read',
          category: 'file',
          caller: '/usr/bin/hostile',
          count: 1,
          first_t: 1e15 - i,
          last_t: 1e15,
          tid: PID,
          stack: base + i,
        },
};

const [kindArg, recordsArg, dir] = process.argv.slice(2);
const records = Number(recordsArg);
const kinds = kindArg === 'mix' ? Object.keys(KINDS) : (kindArg?.split(',') ?? []);
if (!dir || !Number.isSafeInteger(records) || records <= 0 || kinds.length === 0 || kinds.some((k) => !(k in KINDS))) {
  console.error(`usage: node bench/hostile-events.mjs <${Object.keys(KINDS).join('|')}|mix>[,...] <records> <dir>`);
  process.exit(2);
}

mkdirSync(dir, { recursive: true });
const source = kinds.includes('spans') || kinds.includes('firststacks') ? 'node' : 'native';
const out = createWriteStream(join(dir, `${PID}-${source}-0.jsonl`));
const start = {
  kind: 'process_start',
  v: 1,
  source,
  pid: PID,
  ppid: 1,
  tid: PID,
  t: 1,
  wall: '2026-11-28T00:00:00.000Z',
  exe: '/usr/bin/hostile',
  argv: ['hostile'],
  cwd: '/',
  runtime: source === 'node' ? { name: 'node', version: '20.20.2' } : { name: 'glibc', version: '2.36' },
};
let batch = `${JSON.stringify(start)}\n`;
const perKind = Math.ceil(records / kinds.length);
for (const [k, kind] of kinds.entries()) {
  const line = KINDS[kind];
  for (let i = 0; i < perKind; i++) {
    batch += `${JSON.stringify(line(i, k * perKind))}\n`;
    if (batch.length >= 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
}
out.end(batch);
await once(out, 'finish');
