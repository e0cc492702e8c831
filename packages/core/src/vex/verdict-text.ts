// The words of a verdict, shared by both VEX formats: what was observed (impact or detail), in
// which window, with which coverage, and for affected verdicts what to do and the stack.
import type { MergedStack } from '../model/app-model.js';
import type { ObservationWindow } from './observation.js';
import type { Verdict } from './verdicts.js';

const MAX_STACK_FRAMES = 12;

export function windowText(w: ObservationWindow): string {
  const runs = `${w.runs} run${w.runs === 1 ? '' : 's'} (${w.processes} process${w.processes === 1 ? '' : 'es'})`;
  if (w.start && w.end) return `${runs} between ${w.start} and ${w.end}`;
  if (w.start) return `${runs} from ${w.start}`;
  return runs;
}

export function coverageText(v: Verdict): string {
  const c = v.coverage;
  if (!c) return 'no function inventory of the package exists, so no function coverage';
  const percent = c.total === 0 ? 0 : (100 * c.ran) / c.total;
  return `${c.ran} of ${c.total} functions of the package ran (${percent.toFixed(1)}%)`;
}

const list = (xs: string[]): string => xs.join(', ');

export function componentLabel(v: Verdict): string {
  const c = v.component;
  return c.version ? `${c.key.name}@${c.version}` : c.key.name;
}

/** One line per frame would not fit a statement: `fn (file:line) <- caller (file:line) <- ...`. */
export function stackText(stack: MergedStack): string {
  const frames = stack.frames.slice(0, MAX_STACK_FRAMES).map((f) => {
    const where = f.file ? ` (${f.file}${f.line === undefined ? '' : `:${f.line}`})` : '';
    return `${f.fn}${where}`;
  });
  const more = stack.frames.length > MAX_STACK_FRAMES ? ` <- ... ${stack.frames.length - MAX_STACK_FRAMES} more` : '';
  return frames.join(' <- ') + more;
}

/** What was observed, with the window and coverage: OpenVEX impact/status notes, CycloneDX detail. */
export function verdictDetail(v: Verdict, window: ObservationWindow): string {
  if (v.reason === 'records_lost' && v.lost) {
    const would = observedDetail({ ...v, reason: v.lost.wouldBe }, window);
    return `${would} But the runs lost ${v.lost.records} record${v.lost.records === 1 ? '' : 's'} (lines refused or cut off, apitrace report lists them), and a lost record may be the one that showed its code running: not claimed not_affected.`;
  }
  return observedDetail(v, window);
}

function observedDetail(v: Verdict, window: ObservationWindow): string {
  const name = componentLabel(v);
  const seen = `in ${windowText(window)}`;
  const fns = v.functions;
  switch (v.reason) {
    case 'never_loaded':
      return `${name} was installed but never loaded ${seen}: none of its code ran.`;
    case 'functions_not_run':
      return `${name} was loaded; its vulnerable functions ${list(fns.map((f) => f.spec))} are in its function inventory and none ran ${seen}; ${coverageText(v)}.`;
    case 'thin_coverage':
      return `${name} was loaded and its vulnerable functions ${list(fns.map((f) => f.spec))} did not run ${seen}, but only ${coverageText(v)}: less than --min-coverage asks, too thin to say not_affected.`;
    case 'functions_not_located': {
      const missing = fns.filter((f) => f.state === 'not_located').map((f) => f.spec);
      return `${name} was loaded ${seen}; its function inventory does not show ${list(missing)}, so whether the vulnerable code ran is not known.`;
    }
    case 'inventory_incomplete':
      return `${name} was loaded and its function inventory shows ${list(fns.map((f) => f.spec))} not running ${seen}, but code of it ran without probes (${list(v.component.inventoryGaps.slice(0, 3))}${v.component.inventoryGaps.length > 3 ? ', ...' : ''}), so the inventory cannot prove they did not run.`;
    case 'loaded_no_function_data':
      return fns.length === 0
        ? `${name} was loaded ${seen}; the advisory names no vulnerable function, and being loaded is no proof its vulnerable code did not run.`
        : `${name} was loaded ${seen}, but no function inventory of it exists to tell whether ${list(fns.map((f) => f.spec))} ran.`;
    case 'used_no_function_data':
      return fns.length === 0
        ? `Code of ${name} ran ${seen}; the advisory names no vulnerable function, so it is taken as reached.`
        : `Code of ${name} ran ${seen} and no function inventory of it exists to tell whether ${list(fns.map((f) => f.spec))} ran, so it is taken as reached.`;
    case 'records_lost':
      return `${name}: the runs lost records ${seen}.`;
    case 'function_ran': {
      const ran = fns.filter((f) => f.state === 'ran').map((f) => `${f.spec} (${f.hits} call${f.hits === 1 ? '' : 's'})`);
      return `The vulnerable function${ran.length === 1 ? '' : 's'} ${list(ran)} of ${name} ran ${seen}.`;
    }
  }
}

/** What to do about an affected component. */
export function remedyText(v: Verdict): string {
  const name = v.component.key.name;
  const fixed = v.affected.fixed;
  return fixed.length > 0
    ? `Update ${name} to ${list(fixed)} or later (fixed), or stop calling the vulnerable code.`
    : `No fixed version is named: remove or replace ${name}, or stop calling the vulnerable code.`;
}

/** What to do about an affected component, and where the vulnerable code was first reached. */
export function actionText(v: Verdict): string {
  const update = remedyText(v);
  if (!v.stack) return update;
  const which = v.stack.of === 'vulnerable_call' ? 'First call of the vulnerable function' : 'First observed use of the package';
  return `${update} ${which}${v.stack.at ? ` at ${v.stack.at}` : ''}: ${stackText(v.stack.stack)}`;
}
