import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { createEngineMachine, ENGINE_EVENTS, type EngineMachine } from './machine.js';
import type { CompiledPlaybook, EngineContext } from './context.js';
import type { Effect } from './effects.js';
import type { Event } from '../events/schema.js';

export type EngineSnapshot = SnapshotFrom<EngineMachine>;

/**
 * The pure engine: `(snapshot, event) -> (snapshot, effects)`. No I/O happens here; the
 * runner performs the effects and feeds the resulting events back in.
 */
export class Engine {
  readonly machine: EngineMachine;

  constructor(readonly playbook: CompiledPlaybook) {
    this.machine = createEngineMachine(playbook);
  }

  initial(): EngineSnapshot {
    return initialTransition(this.machine)[0];
  }

  next(snapshot: EngineSnapshot, event: Event): { snapshot: EngineSnapshot; effects: Effect[] } {
    if (!ENGINE_EVENTS.has(event.type)) return { snapshot, effects: [] };
    const [next, actions] = transition(this.machine, snapshot, event);
    const effects = actions.filter((a) => a.type === 'effect').map((a) => a.params as Effect);
    return { snapshot: next, effects };
  }

  /** Folds a log into the state it describes; the effects it would issue are dropped. */
  fold(events: Iterable<Event>, from = this.initial()): EngineSnapshot {
    let snapshot = from;
    for (const event of events) snapshot = this.next(snapshot, event).snapshot;
    return snapshot;
  }

  static context(snapshot: EngineSnapshot): EngineContext {
    return snapshot.context;
  }
}
