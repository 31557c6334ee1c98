import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { createEngineMachine, ENGINE_EVENTS, type EngineMachine } from './machine.js';
import type { CompiledPlaybook, EngineContext } from './context.js';
import type { Effect } from './effects.js';
import type { Event } from '../events/schema.js';

export type EngineSnapshot = SnapshotFrom<EngineMachine>;

const EFFECT_KINDS = new Set<string>(['emit', 'decide', 'send_prompt', 'run_command', 'run_commands', 'run_checks'] satisfies Effect['kind'][]);

/** The machine's actions are its effects, each typed by its kind; in the order issued. */
function actionsToEffects(actions: Array<{ type: string; params?: unknown }>): Effect[] {
  return actions.filter((a) => EFFECT_KINDS.has(a.type)).map((a) => a.params as Effect);
}

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

  /**
   * Total: whatever the event, it returns. A failure inside the transition (a bug, a value the
   * compiler let through) ends the run with verdict `error` and says where; the failure is a
   * function of the log, so folding the same log reaches the same ended state instead of
   * throwing again.
   */
  next(snapshot: EngineSnapshot, event: Event): { snapshot: EngineSnapshot; effects: Effect[] } {
    if (!ENGINE_EVENTS.has(event.type) || snapshot.status === 'done') return { snapshot, effects: [] };
    try {
      const [next, actions] = transition(this.machine, snapshot, event);
      if (next.status === 'error') throw next.error;
      return { snapshot: next, effects: actionsToEffects(actions) };
    } catch (err) {
      const reason = `internal error at event ${event.seq} (${event.type}): ${err instanceof Error ? err.message : String(err)}`;
      const context: EngineContext = { ...snapshot.context, verdict: { verdict: 'error', reason }, pending: null, activity: null };
      const ended = this.machine.resolveState({ value: 'ended', context });
      return { snapshot: ended, effects: [{ kind: 'emit', event: { type: 'run_ended', verdict: 'error', reason } }] };
    }
  }

  /** Folds a log into the state it describes; the effects it would issue are dropped. */
  fold(events: Iterable<Event>, from = this.initial()): EngineSnapshot {
    let snapshot = from;
    for (const event of events) snapshot = this.next(snapshot, event).snapshot;
    return snapshot;
  }
}
