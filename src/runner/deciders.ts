import type { Decider, Decision, Question } from '../ports.js';

/**
 * Autopilot: approves every prompt. Budgets are enforced by the engine before anything is
 * proposed, so approval here is always within them. A question meant for a person is skipped
 * with the reason logged: nobody is there to answer it.
 */
export function createPolicyDecider(): Decider {
  return {
    mode: 'autopilot',
    async decide(q: Question): Promise<Decision> {
      if (q.kind === 'ask') return { verdict: 'skip', by: 'policy', reason: 'no person to ask in autopilot' };
      return { verdict: 'approve', by: 'policy', reason: 'within budgets' };
    },
  };
}
