// The process_start line of a synthetic benchmark process (a node app, run as `node app.js` in cwd).
export const processStartLine = ({ pid, source, runtime, cwd }) =>
  JSON.stringify({
    kind: 'process_start',
    v: 1,
    source,
    pid,
    ppid: 1,
    tid: pid,
    t: 1000,
    wall: '2026-11-28T00:00:00.000Z',
    exe: '/usr/bin/node',
    argv: ['node', 'app.js'],
    cwd,
    runtime,
  });

// The native event file of a synthetic benchmark process: its start, the shared objects it
// loaded, then `count` records alternating an openat call with libc usages, then its end.
// The analysis and VEX benchmarks write the same shape, so they measure the same reading work.
export function* nativeRecords({ startLine, codeUnits, count, usageCaller, pid }) {
  yield startLine;
  for (const unit of codeUnits) yield JSON.stringify({ kind: 'code_unit', unit: 'shared_object', how: 'startup', ...unit });
  for (let i = 0; i < count; i++) {
    const t = 10_000 + Math.floor(i / 9) * 1000 + 100;
    if (i % 3 === 0) {
      yield JSON.stringify({
        kind: 'call',
        api: 'libc:openat',
        category: 'file',
        tid: i % 2 ? pid : pid + 7,
        t0: t,
        t1: t + 50,
        caller: '/usr/bin/node',
        args: { path: `/data/file-${Math.floor(i / 9) % 97}`, oflags: 'O_RDONLY' },
        result: { ret: 3 },
      });
    } else {
      yield JSON.stringify({
        kind: 'api_usage',
        api: i % 2 ? 'libc:malloc' : 'libc:read',
        category: i % 2 ? 'memory' : 'file',
        caller: usageCaller,
        count: 1 + (i % 50),
        first_t: t,
        last_t: t + 10,
      });
    }
  }
  yield JSON.stringify({ kind: 'process_end', t: 99_000_000_000, reason: 'exit', exit_code: 0 });
}
