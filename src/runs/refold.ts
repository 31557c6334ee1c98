import type { Engine, EngineSnapshot } from '../engine/engine.js';
import type { Event, EventInput } from '../events/schema.js';

/**
 * Folds a killed run's log into the engine's state, and finds the events the engine had asked
 * for that the kill kept out of the log (a `step_entered`, a `prompt_proposed`, a `budget_spent`
 * between the event that caused them and the next action). The resume logs those before it
 * reissues what was in flight, so no event of an uninterrupted run is missing.
 */
export function foldForResume(engine: Engine, events: Iterable<Event>): { snapshot: EngineSnapshot; unlogged: EventInput[] } {
  let snapshot = engine.initial();
  let expected: EventInput[] = [];
  for (const e of events) {
    if (expected[0]?.type === e.type) expected.shift();
    const r = engine.next(snapshot, e);
    snapshot = r.snapshot;
    if (r.effects.length > 0) expected = r.effects.flatMap((x) => (x.kind === 'emit' ? [x.event] : []));
  }
  return { snapshot, unlogged: expected };
}
