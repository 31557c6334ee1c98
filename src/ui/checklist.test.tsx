import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Playbook } from '../playbook/schema.js';
import type { Event, EventInput } from '../events/schema.js';
import { Checklist } from './checklist.js';
import { foldView, initialView } from './view-state.js';
import { mount } from '../../tests/integration/interactive-rig.js';

const playbook = Playbook.parse({
  name: 'p',
  variables: { test_file: { default: 'test_calc.py' } },
  steps: [{ id: 's', kind: 'prompt', prompt: 'x' }],
  checklist: [
    { item: 'The tests pass', verify: { check: 'command', run: 'true' } },
    { item: '{{test_file}} is unchanged', verify: { check: 'command', run: 'true' } },
    { item: 'Report written', verify: { check: 'file_exists', path: 'R.md' } },
  ],
});

const started: EventInput = {
  type: 'run_started', runId: 'r', playbook: 'p', playbookPath: '/p.yaml', playbookHash: 'h', vars: { test_file: 'test_calc.py' },
  mode: 'interactive', workspace: '/ws', branch: 'b', agent: 'anthropic', model: 'm',
};
const judged = (check: string, passed: boolean, detail = ''): EventInput => ({ type: 'gate_judged', scope: 'checklist', check, passed, detail });
const fold = (inputs: EventInput[]) =>
  inputs.reduce((s, e, seq) => foldView(s, { ...e, seq, ts: '2026-01-01T00:00:00Z' } as Event), initialView(playbook));

afterEach(cleanup);

describe('checklist panel', () => {
  it('lists every item as pending, with variables filled in, before any is judged', async () => {
    const r = mount(<Checklist items={fold([started]).checklist} />);
    const f = await r.waitFor('checklist:');
    expect(f).toContain('checklist: 0 verified, 0 failed, 3 pending');
    expect(f).toContain('· test_calc.py is unchanged');
  });

  it('marks items verified and failed (with why) as labpilot judges them', async () => {
    const state = fold([started, judged('The tests pass', true), judged('test_calc.py is unchanged', false, 'exit code 1\nfrom git diff')]);
    const r = mount(<Checklist items={state.checklist} />);
    const f = await r.waitFor('checklist:');
    expect(f).toContain('checklist: 1 verified, 1 failed, 1 pending');
    expect(f).toContain('✓ The tests pass');
    expect(f).toContain('✗ test_calc.py is unchanged (exit code 1 from git diff)');
    expect(f).toContain('· Report written');
  });

  it('ignores step gates: only the checklist scope fills it', () => {
    const state = fold([started, { type: 'gate_judged', scope: 'step', step: 's', check: 'The tests pass', passed: true, detail: '' }]);
    expect(state.checklist.map((i) => i.state)).toEqual(['pending', 'pending', 'pending']);
  });
});
