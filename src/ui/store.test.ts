import { describe, expect, it } from 'vitest';
import type { Event, EventInput } from '../events/schema.js';
import { Playbook } from '../playbook/schema.js';
import { ViewStore } from './store.js';

const playbook = Playbook.parse({
  name: 'p',
  steps: [
    { id: 'fix', kind: 'prompt', prompt: 'Fix it.' },
    { id: 'smoke', kind: 'run', stage: 'smoke', command: 'modal run x.py' },
  ],
});
const at = (events: EventInput[]): Event[] => events.map((e, seq) => ({ ...e, seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() }) as Event);
const log = at([
  { type: 'run_started', runId: 'r1', playbook: 'p', playbookPath: '/p.yaml', playbookHash: 'h', vars: {}, mode: 'interactive', workspace: '/w', branch: 'b', agent: 'anthropic', model: 'm' },
  { type: 'step_entered', step: 'fix', attempt: 1 },
  ...Array.from({ length: 30 }, (_, i): EventInput => ({ type: 'agent_text', turn: 1, text: `working ${i}` })),
  { type: 'budget_spent', turns: 3, tokens: 9000, dollars: 0.42, wallMs: 1000 },
  { type: 'step_done', step: 'fix', outcome: 'passed' },
  { type: 'step_entered', step: 'smoke', attempt: 2 },
  { type: 'command_started', commandId: 'c1', step: 'smoke', command: 'modal run x.py', cwd: '/w' },
]);

describe('the view store', () => {
  it('a resumed run shows the state folded from its log: step, attempt, spent, stages ticked; the last entries only', () => {
    const store = new ViewStore(playbook, 0);
    store.fold(log);
    const s = store.getSnapshot();
    expect(s).toMatchObject({ runId: 'r1', step: 'smoke', attempt: 2, spent: { turns: 3, tokens: 9000, dollars: 0.42 }, outcomes: { fix: 'passed' } });
    // The command of the stopped run is not running any more.
    expect(s.commands).toEqual([]);
    expect(s.history).toHaveLength(20);
    expect(s.history.at(-1)).toMatchObject({ kind: 'step', step: 'smoke', attempt: 2 });
  });

  it('shows what the run found after its end', () => {
    const store = new ViewStore(playbook, 0);
    store.summary(['found: RSD against Baseline: 1.65x faster', 'report: /r/report.md']);
    expect(store.getSnapshot().history.map((e) => (e.kind === 'notice' ? e.message : e.kind))).toEqual(['found: RSD against Baseline: 1.65x faster', 'report: /r/report.md']);
  });
});
