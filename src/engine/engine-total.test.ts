import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { Playbook } from '../playbook/schema.js';
import { compiled } from '../playbook/compile.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';
import type { Event } from '../events/schema.js';

/** A step whose command names a variable the run was not given: rendering it fails inside the transition. */
const broken = compiled(
  Playbook.parse({
    name: 'broken',
    steps: [
      { id: 'first', kind: 'run', command: 'true' },
      { id: 'second', kind: 'run', command: 'echo {{missing}}' },
    ],
  }),
  {},
  {},
);

describe('a total engine', () => {
  it('ends the run with verdict error, logged with where, instead of throwing', () => {
    const engine = new Engine(broken);
    const { log, snapshot } = simulate(engine, runStarted(), world({}));
    const ended = log.filter((e): e is Event & { type: 'run_ended' } => e.type === 'run_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.verdict).toBe('error');
    expect(ended[0]!.reason).toMatch(/^internal error at event \d+ \(gate_judged\): .*undefined variable 'missing'/);
    expect(snapshot.context.verdict).toMatchObject({ verdict: 'error' });
    // The failed transition issues nothing else: its half-made effects would describe a state the engine never reached.
    expect(log.filter((e) => e.type === 'step_done')).toEqual([]);
    expect(log.at(-1)).toBe(ended[0]);
  });

  it('folds the log of such a run to the same ended state, and ignores what follows', () => {
    const engine = new Engine(broken);
    const { log, snapshot } = simulate(engine, runStarted(), world({}));
    const folded = engine.fold(log);
    expect(folded.context).toEqual(snapshot.context);
    expect(folded.status).toBe('done');
    const resumed = engine.next(folded, { type: 'run_resumed', runId: 'r1', fromSeq: log.length, seq: log.length, ts: new Date().toISOString() });
    expect(resumed.effects).toEqual([]);
  });
});

describe('budgets', () => {
  it('are checked at every remediation, so a prompt step that keeps failing stops at the turn budget', () => {
    const engine = new Engine(
      compiled(
        Playbook.parse({
          name: 'loop',
          budgets: { turns: 2 },
          steps: [{ id: 'do', kind: 'prompt', prompt: 'Do it.', done_when: [{ check: 'file_exists', path: 'never' }] }],
          remediations: [{ id: 'again', when: { repeated: 2 }, then: { prompt: 'Try again.' }, max_attempts: 50 }],
        }),
        {},
        {},
      ),
    );
    const { log } = simulate(engine, runStarted(), world({ gate: () => false }));
    expect(log.filter((e) => e.type === 'agent_turn_ended').length).toBeLessThanOrEqual(2);
    expect(log.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'budget_exhausted', reason: 'turn budget spent (2 of 2)' });
  });
});
