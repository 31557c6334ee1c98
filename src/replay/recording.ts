import type { Event, EventOf } from '../events/schema.js';
import { InputError } from '../errors.js';

/** Events an agent turn produced, re-emitted by the recorded agent in their order. */
export type TurnEvent = EventOf<'agent_text'> | EventOf<'tool_call'> | EventOf<'tool_result'>;

export interface RecordedTurn {
  promptId: string;
  text: string;
  events: TurnEvent[];
  ended: EventOf<'agent_turn_ended'>;
}

export interface RecordedCommand {
  started: EventOf<'command_started'>;
  exited: EventOf<'command_exited'>;
}

/**
 * What a run log recorded as answers from the world: the agent's turns (in the order prompts
 * were sent), each command's exit, the decisions, and the verdicts of checks that read files or
 * ran scripts. A run that was killed and resumed redid what was in flight; the redo wins.
 */
export interface Recording {
  started: EventOf<'run_started'>;
  turns: RecordedTurn[];
  commands: Map<string, RecordedCommand>;
  decisions: Map<string, EventOf<'decision'>>;
  /** Key `scope \0 step \0 check name` -> verdicts in the order they were judged. */
  gates: Map<string, Array<EventOf<'gate_judged'>>>;
}

/** The person's own prompts are numbered `u<turn>`; labpilot's `p<n>`. */
const isPersonPrompt = (id: string) => /^u\d+$/.test(id);

export const gateKey = (scope: string, step: string | undefined, name: string) => `${scope}\0${step ?? ''}\0${name}`;

/** A finished round of checks joins the verdicts replay answers from; returns the next, empty round. */
function keep(gates: Recording['gates'], round: Array<EventOf<'gate_judged'>>): Array<EventOf<'gate_judged'>> {
  for (const g of round) {
    const key = gateKey(g.scope, g.step, g.check);
    gates.set(key, [...(gates.get(key) ?? []), g]);
  }
  return [];
}

export function indexRecording(events: Event[], where: string): Recording {
  const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started');
  if (!started) throw new InputError('not a labpilot run log: no run_started event', where);
  const turns: RecordedTurn[] = [];
  const commands = new Map<string, RecordedCommand>();
  const starts = new Map<string, EventOf<'command_started'>>();
  const decisions = new Map<string, EventOf<'decision'>>();
  const gates = new Map<string, Array<EventOf<'gate_judged'>>>();
  let open: { promptId: string; text: string; events: TurnEvent[] } | undefined;
  let round: Array<EventOf<'gate_judged'>> = [];
  for (const e of events) {
    switch (e.type) {
      case 'prompt_sent':
        // What the person writes while the agent works on labpilot's prompt (an attached Claude
        // Code session) is part of that turn; on its own it is a turn of its own.
        if (open && isPersonPrompt(e.promptId) && !isPersonPrompt(open.promptId)) break;
        open = { promptId: e.promptId, text: e.text, events: [] };
        break;
      case 'agent_text':
      case 'tool_call':
      case 'tool_result':
        open?.events.push(e);
        break;
      case 'agent_turn_ended':
        if (open && open.promptId === e.promptId) turns.push({ ...open, ended: e });
        open = undefined;
        break;
      case 'command_started':
        starts.set(e.commandId, e);
        break;
      case 'command_exited': {
        const s = starts.get(e.commandId);
        if (s) commands.set(e.commandId, { started: s, exited: e });
        break;
      }
      case 'decision':
        decisions.set(e.ref, e);
        break;
      case 'gate_judged':
        round.push(e);
        break;
      case 'run_resumed':
        // A round of checks cut short is judged again, whole: its partial verdicts do not count.
        round = [];
        open = undefined;
        break;
      default:
        break;
    }
    if (e.type !== 'gate_judged' && e.type !== 'notice') round = keep(gates, round);
  }
  keep(gates, round);
  return { started, turns, commands, decisions, gates };
}
