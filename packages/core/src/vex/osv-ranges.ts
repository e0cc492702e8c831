// Whether a version is affected by an OSV `affected` entry: listed in `versions`, or inside one
// of its `ranges`. A range is evaluated as the OSV schema describes: its events sorted by
// version ("introduced": "0" first), walking up to the version, the last event passed decides:
// introduced opens, fixed and limit close at their version, last_affected closes after it.
import type { AffectedPackage, VersionRange } from './advisory.js';
import type { VersionOrder } from './versions/ecosystem-versions.js';

type Event = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; version: string };

function eventsOf(range: VersionRange): Event[] {
  const events: Event[] = [];
  for (const e of range.events) {
    if (e.introduced !== undefined) events.push({ kind: 'introduced', version: e.introduced });
    if (e.fixed !== undefined) events.push({ kind: 'fixed', version: e.fixed });
    if (e.last_affected !== undefined) events.push({ kind: 'last_affected', version: e.last_affected });
    if (e.limit !== undefined) events.push({ kind: 'limit', version: e.limit });
  }
  return events;
}

function compareEvents(order: VersionOrder, a: Event, b: Event): number {
  const zeroA = a.kind === 'introduced' && a.version === '0';
  const zeroB = b.kind === 'introduced' && b.version === '0';
  if (zeroA || zeroB) return zeroA === zeroB ? 0 : zeroA ? -1 : 1;
  return order.compare(a.version, b.version);
}

export function inRange(order: VersionOrder, version: string, range: VersionRange): boolean {
  const events = eventsOf(range).sort((a, b) => compareEvents(order, a, b));
  let affected = false;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (e.version === '0' || order.compare(version, e.version) >= 0) affected = true;
      else break;
    } else if (e.kind === 'fixed' || e.kind === 'limit') {
      if (order.compare(version, e.version) >= 0) affected = false;
      else break;
    } else if (order.compare(version, e.version) > 0) {
      affected = false;
    } else {
      break;
    }
  }
  return affected;
}

/** Whether `version` (already valid in the package's order) is affected by the entry. */
export function isAffectedVersion(version: string, affected: AffectedPackage): boolean {
  const order = affected.ecosystem.order;
  if (affected.versions.some((v) => v === version || (order.invalid(v) === undefined && order.compare(v, version) === 0))) return true;
  return affected.ranges.some((r) => inRange(order, version, r));
}
