// Entry of `node --import @apitrace/node-plugin`: records this process into APITRACE_DIR.
// Everything here runs inside the observed application: it must never throw into it.
import { isMainThread } from 'node:worker_threads';
import { EventWriter } from './event-writer.js';
import { commandLine, executablePath, osThreadId } from './process-facts.js';
import { redactArgv } from './redact.js';

export const PLUGIN_VERSION = '0.1.0';

function warnOnce(dir: string, err: unknown): void {
  const why = err instanceof Error ? err.message : String(err);
  try {
    process.stderr.write(`apitrace: node: cannot write events to ${dir}: ${why} (recording off for this process)\n`);
  } catch {
    // stderr closed: stay silent
  }
}

function startRecording(dir: string): void {
  let writer: EventWriter;
  try {
    writer = EventWriter.create(dir, process.pid);
  } catch (err) {
    warnOnce(dir, err);
    return;
  }
  const tid = osThreadId();
  writer.write({
    kind: 'process_start',
    v: 1,
    source: 'node',
    pid: process.pid,
    ppid: process.ppid,
    ...(tid === undefined ? {} : { tid }),
    seq: writer.seq,
    origin: 'start',
    t: Number(process.hrtime.bigint()),
    wall: new Date().toISOString(),
    exe: executablePath(),
    argv: redactArgv(commandLine()),
    cwd: process.cwd(),
    runtime: { name: 'node', version: process.versions.node },
    emitter: { name: '@apitrace/node-plugin', version: PLUGIN_VERSION },
  });
  writer.flush();
  process.on('exit', (code) => {
    try {
      writer.write({
        kind: 'process_end',
        t: Number(process.hrtime.bigint()),
        reason: 'exit',
        exit_code: code,
        records: writer.records + 1,
        dropped: writer.dropped,
      });
      writer.close();
    } catch {
      // never let our exit handler change the application's exit
    }
  });
}

const dir = process.env['APITRACE_DIR'];
// Worker threads re-run --import preloads; until workers are recorded on their own
// (origin "thread"), only the main thread records.
if (dir && isMainThread) {
  try {
    startRecording(dir);
  } catch (err) {
    warnOnce(dir, err);
  }
}
