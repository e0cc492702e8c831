// Where a component's function inventory cannot prove that a function did not run: code of it
// that ran without probes, as the emitters report it (a module the Node plugin left
// untransformed, classes the JVM agent left untouched: too large, probes exhausted or failed),
// or a run that loaded it and kept no inventory of it at all. The JVM agent lists untouched
// classes among the never-loaded ones, with no method run, so without this a method that ran
// there would look as if it had not.
import { fileURLToPath } from 'node:url';
import type { AppModel, Component } from '../model/app-model.js';

/** Node plugin notices naming a module file (path or file: URL) it loaded without probes. */
const NODE_UNPROBED = new Set(['transform_failed', 'transform_skipped']);
/** JVM agent notices that some loaded classes got no probes, without naming them. */
const JVM_UNPROBED = new Set(['too_many_classes', 'probe_failed', 'instrumentation_failed']);

function noticePath(subject: string): string {
  if (!subject.startsWith('file:')) return subject;
  try {
    return fileURLToPath(subject);
  } catch {
    return subject;
  }
}

/** What of this component's code the emitters say ran without probes, in one run. */
export function inventoryGapsOf(c: Component, model: AppModel): string[] {
  if (c.usage === 'installed') return [];
  // loaded in a run that kept no inventory of it (its emitter was off, say): what ran there is unknown
  if (!c.functionInventory) return [`loaded in ${model.run.dir} with no function inventory`];
  const gaps: string[] = [];
  for (const n of model.notices) {
    if (c.kind === 'npm' && n.source === 'node' && NODE_UNPROBED.has(n.code) && n.subject !== undefined) {
      const path = noticePath(n.subject);
      if (c.paths.some((p) => path === p || path.startsWith(`${p}/`))) gaps.push(`${path} (${n.code})`);
    } else if (c.kind === 'maven' && n.source === 'jvm') {
      if (JVM_UNPROBED.has(n.code)) gaps.push(`${n.count} class(es) of the process (${n.code})`);
      else if (n.code === 'class_too_large' && n.subject !== undefined && c.functionInventory?.some((f) => f.scope === n.subject))
        gaps.push(`${n.subject} (${n.code})`);
    }
  }
  return gaps;
}
