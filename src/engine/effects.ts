import type { Check, Metric } from '../playbook/schema.js';
import type { EventInput } from '../events/schema.js';
import type { Question } from '../ports.js';

/**
 * What the pure engine asks the runner to do. Effects are data: the engine never performs I/O.
 * Each effect that waits for an answer is answered by input events appended to the log
 * (decision, agent_turn_ended, command_exited, gate_judged), which the runner feeds back in.
 */
export type Effect =
  /** Append an event the engine derived (step_entered, remediation_chosen, run_ended, ...). */
  | { kind: 'emit'; event: EventInput }
  /** Ask the Decider; answered by a `decision` event whose ref is the question's id. */
  | { kind: 'decide'; question: Question }
  /** Send a prompt to the agent; answered by `agent_turn_ended`. */
  | { kind: 'send_prompt'; promptId: string; step: string; text: string }
  /** Run a command, scanning its output with the trigger matcher; answered by `command_exited`. */
  | {
      kind: 'run_command';
      commandId: string;
      step: string;
      command: string;
      cwd: string;
      timeoutMs?: number;
      metrics: Metric[];
      derive: Record<string, string>;
      stopWhen?: string;
      /** The for_each value this run is for, and the variable it binds (`{ suite: 'libero_goal' }`). */
      item?: string;
      bind?: Record<string, string>;
    }
  /** Run one command per for_each value at once; answered by one `command_exited` each. */
  | { kind: 'run_commands'; step: string; runs: RunCommandEffect[] }
  /** Verify checks; answered by one `gate_judged` per check, in order. */
  | {
      kind: 'run_checks';
      scope: 'step' | 'checklist';
      step?: string;
      /** `metrics` is set for a metric check that names another step (`step: full`). */
      /** Per check, for a fanned-out step: the value's own figures, command and exit code. */
      checks: Array<{ name: string; check: Check; metrics?: Record<string, number>; commandId?: string; exitCode?: number | null }>;
      metrics: Record<string, number>;
      /** The step's last command, for output_matches without `run` and for exit_code. */
      commandId?: string;
      exitCode?: number | null;
    };

export type EffectKind = Effect['kind'];
export type RunCommandEffect = Effect & { kind: 'run_command' };
