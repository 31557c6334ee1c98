import { describe, expect, it } from 'vitest';
import type { Event, EventInput } from '../events/schema.js';
import type { PromptQuestion } from '../ports.js';
import { HumanDecider } from './deciders.js';

const q = (promptId: string, text = 'Fix the tests.'): PromptQuestion => ({ kind: 'prompt', promptId, step: 'fix', text, origin: 'step' });

function logged(d: HumanDecider): EventInput[] {
  const events: EventInput[] = [];
  d.sink = { emit: (e) => (events.push(e), { ...e, seq: events.length, ts: '' } as Event) };
  return events;
}

describe('the person’s decider', () => {
  it('waits for the person and answers with what they chose', async () => {
    const d = new HumanDecider();
    const pending = d.decide(q('p1'));
    expect(d.open?.question).toMatchObject({ promptId: 'p1' });
    d.edit('Fix only multiply.');
    await expect(pending).resolves.toEqual({ verdict: 'edit', text: 'Fix only multiply.', by: 'human' });
    expect(d.open).toBeUndefined();
  });

  it('treats an edit that changes nothing as an approval', async () => {
    const d = new HumanDecider();
    const pending = d.decide(q('p1'));
    d.edit('Fix the tests.');
    await expect(pending).resolves.toEqual({ verdict: 'approve', by: 'human' });
  });

  it('sends a note written during the run with the next prompt, as an edit, and logs it', async () => {
    const d = new HumanDecider();
    const events = logged(d);
    d.note('Do not touch test_calc.py.');
    expect(events).toEqual([{ type: 'notice', level: 'info', message: 'note for the agent, sent with the next prompt: Do not touch test_calc.py.' }]);
    const first = d.decide(q('p1'));
    expect(d.open?.draft).toBe('Fix the tests.\n\nDo not touch test_calc.py.');
    d.approve();
    await expect(first).resolves.toMatchObject({ verdict: 'edit', text: 'Fix the tests.\n\nDo not touch test_calc.py.', by: 'human' });
    const second = d.decide(q('p2'));
    expect(d.open?.draft).toBe('Fix the tests.');
    d.approve();
    await expect(second).resolves.toEqual({ verdict: 'approve', by: 'human' });
  });

  it('keeps the notes for the next prompt when the person skips this one', async () => {
    const d = new HumanDecider();
    d.note('Be brief.');
    const first = d.decide(q('p1'));
    d.skip();
    await expect(first).resolves.toEqual({ verdict: 'skip', by: 'human' });
    void d.decide(q('p2', 'Next.'));
    expect(d.open?.draft).toBe('Next.\n\nBe brief.');
  });

  it('switching to autopilot answers the open question by policy, and later ones at once', async () => {
    const d = new HumanDecider();
    const events = logged(d);
    const open = d.decide(q('p1'));
    d.setMode('autopilot');
    await expect(open).resolves.toMatchObject({ verdict: 'approve', by: 'policy' });
    await expect(d.decide({ kind: 'ask', ref: 'a1', step: 'full', text: 'Accept?' })).resolves.toMatchObject({ verdict: 'skip', by: 'policy' });
    expect(d.mode).toBe('autopilot');
    expect(events.map((e) => e.type === 'notice' && e.message)).toEqual(['mode switched to autopilot by the person']);
    d.setMode('interactive');
    void d.decide(q('p2'));
    expect(d.open?.question).toMatchObject({ promptId: 'p2' });
  });

  it('in autopilot, a note still rides with the next prompt', async () => {
    const d = new HumanDecider('autopilot');
    d.note('Check multiply too.');
    await expect(d.decide(q('p1'))).resolves.toEqual({
      verdict: 'edit',
      text: 'Fix the tests.\n\nCheck multiply too.',
      by: 'policy',
      reason: 'within budgets; with the person’s note',
    });
  });

  it('a run that stops rejects the question nobody will answer', async () => {
    const d = new HumanDecider();
    const pending = d.decide(q('p1'));
    d.cancel(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
    expect(d.open).toBeUndefined();
  });
});
