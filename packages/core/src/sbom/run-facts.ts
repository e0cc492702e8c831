// Facts both SBOM formats take from the model the same way, so that they agree and stay
// deterministic: the document's time (the run's start, never "now"), ids derived from content,
// wall-clock renderings of monotonic times, and the described application.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { AppModel, Component, MergedStack } from '../model/app-model.js';
import { APITRACE_VERSION } from '../version.generated.js';

export const TOOL_NAME = 'apitrace';
export const TOOL_VERSION = APITRACE_VERSION;

/** The document time: the run's start (run.json, else the first process), else the epoch. */
export function documentTime(model: AppModel): string {
  const started = model.run.started;
  const date = started ? new Date(started) : new Date(0);
  return (Number.isNaN(date.getTime()) ? new Date(0) : date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A monotonic time of the run as wall clock (RFC 3339), through the run's clock pair. */
export function wallClockOf(model: AppModel, t: number | undefined): string | undefined {
  const clock = model.run.clock;
  if (t === undefined || !clock) return undefined;
  const base = Date.parse(clock.wall);
  if (Number.isNaN(base)) return undefined;
  return new Date(base + Math.round((t - clock.t) / 1e6)).toISOString();
}

/** A digest of what the run observed: the seed of every derived id. */
export function contentDigest(model: AppModel): string {
  const hash = createHash('sha256');
  hash.update(documentTime(model));
  for (const p of model.processes) hash.update(`\0p${p.id}\0${(p.argv ?? []).join('\u0001')}`);
  for (const c of model.components) hash.update(`\0c${c.ref}\0${c.usage}`);
  return hash.digest('hex');
}

/** An RFC 4122 version-5-style UUID from a digest: stable for the same content. */
export function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** What the run was: the command `apitrace run` launched, else the first process's argv. */
export function applicationName(model: AppModel): string {
  const app = model.components.find((c) => c.kind === 'application');
  if (app) return app.name;
  const argv = model.run.manifest?.command ?? model.processes[0]?.argv;
  const first = argv?.[0];
  return first ? basename(first) : 'application';
}

export function describedApplication(model: AppModel): Component | undefined {
  return model.components.find((c) => c.kind === 'application');
}

/** The observed command line, for the document's description. */
export function runCommandLine(model: AppModel): string | undefined {
  const argv = model.run.manifest?.command ?? model.processes[0]?.argv;
  return argv?.join(' ');
}

/** One line per frame, innermost first: `fn (file:line) [unit]`, for formats without a stack model. */
export function stackLines(stack: MergedStack): string[] {
  return stack.frames.map((f) => {
    const where = f.file ? ` (${f.file}${f.line === undefined ? '' : `:${f.line}`})` : '';
    const unit = f.unit ? ` [${f.unit}]` : '';
    return `${f.lang} ${f.fn}${where}${unit}`;
  });
}
