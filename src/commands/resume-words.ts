import type { Event } from '../events/schema.js';

/**
 * Where a resumed run picks up, in words, from its log: the step and attempt it was in, what
 * was in flight, what had passed and what was spent. Shown in plain output and in the app.
 */
export function whereResumed(events: Event[]): string {
  const entered = events.findLast((e) => e.type === 'step_entered');
  const passed = new Set(events.flatMap((e) => (e.type === 'step_done' && e.outcome === 'passed' ? [e.step] : [])));
  const spent = events.findLast((e) => e.type === 'budget_spent');
  const last = events.at(-1);
  const inFlight =
    last?.type === 'command_started' || last?.type === 'command_output'
      ? 'a command that was running is run again'
      : last?.type === 'prompt_sent' || last?.type === 'agent_text' || last?.type === 'tool_call' || last?.type === 'tool_result'
        ? "the agent's unfinished turn is asked again"
        : last?.type === 'prompt_proposed'
          ? 'the prompt awaiting a decision is proposed again'
          : 'nothing was in flight';
  const done = entered?.type === 'step_entered' ? events.findLast((e) => e.type === 'step_done' && e.step === entered.step && e.seq > entered.seq) : undefined;
  const step =
    entered?.type !== 'step_entered'
      ? 'at the first step'
      : done?.type === 'step_done'
        ? `after step ${entered.step} (${done.outcome})`
        : `at step ${entered.step} (attempt ${entered.attempt})`;
  const cost = spent?.type === 'budget_spent' ? `${spent.turns} turns and $${spent.dollars.toFixed(2)} spent so far` : 'nothing spent so far';
  return `resuming ${step}: ${inFlight}; ${passed.size} step(s) passed, ${cost}`;
}
