import type { CompiledPlaybook } from '../engine/context.js';
import { rulesFor } from '../engine/context.js';
import type { LineMatch, Matcher } from '../engine/matcher.js';
import type { Source } from '../events/schema.js';
import type { EventBus } from '../runs/bus.js';

/** The ids of the remediations that apply to a step, worked out once per playbook and step. */
const applicableCache = new WeakMap<CompiledPlaybook, Map<string, ReadonlySet<string>>>();

export function applicableRules(pb: CompiledPlaybook, step: string): ReadonlySet<string> {
  let byStep = applicableCache.get(pb);
  if (!byStep) applicableCache.set(pb, (byStep = new Map()));
  let ids = byStep.get(step);
  if (!ids) byStep.set(step, (ids = new Set(rulesFor(pb, step).map((r) => r.id))));
  return ids;
}

export interface TriggerScope {
  pb: CompiledPlaybook;
  matcher: Matcher;
  bus: EventBus;
  /** Rules already reported during the current action, keyed by rule (and fanned-out value). */
  reported: Set<string>;
}

/**
 * Reports the rules a line triggers in a step, once per rule (and per value of a fanned-out
 * step), as `trigger_matched` events; true if any. The caller emits the line's own event first.
 * `matches` are the line's, when the caller has them already (src/output/trigger-scanner.ts).
 */
export function reportTriggers(s: TriggerScope, step: string, line: string, source: Source, item?: string, matches: readonly LineMatch[] = s.matcher.matchLine(line, source)): boolean {
  if (matches.length === 0) return false;
  const applicable = applicableRules(s.pb, step);
  let hit = false;
  for (const m of matches) {
    const key = item === undefined ? m.id : `${m.id}@${item}`;
    if (!applicable.has(m.id) || s.reported.has(key)) continue;
    s.reported.add(key);
    hit = true;
    s.bus.emit({ type: 'trigger_matched', remediation: m.id, step, source, line, groups: m.groups, ...(item !== undefined && { item }) });
  }
  return hit;
}
