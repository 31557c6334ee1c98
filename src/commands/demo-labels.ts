import type { Event } from '../events/schema.js';

/**
 * The demo's plain lines say what is simulated wherever it shows: the agent is a scripted
 * stand-in of the Messages API (its dollar costs are what the same tokens would cost, not a
 * charge), and `modal` is a local stand-in with no GPU.
 */
export function labelStandins(e: Event, line: string): string {
  switch (e.type) {
    case 'run_started':
      return line.replace(`agent ${e.agent} ${e.model}`, `agent: scripted stand-in playing ${e.agent} ${e.model} (no model is called)`);
    case 'agent_turn_ended':
    case 'budget_spent':
      return `${line} (simulated cost)`;
    case 'command_started':
      return /^\s*modal\s/.test(e.command) ? `${line}   [modal stand-in: local, no GPU]` : line;
    default:
      return line;
  }
}
