import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Playbook } from '../playbook/schema.js';
import type { Event, EventInput } from '../events/schema.js';
import { Stages } from './progress-bar.js';
import { foldView, initialView, type ViewState } from './view-state.js';
import { mount } from '../../tests/integration/interactive-rig.js';

const playbook = Playbook.parse({
  name: 'eval',
  steps: [
    { id: 'smoke', kind: 'run', stage: 'smoke', command: 'modal run eval.py --num-trials 1' },
    { id: 'full', kind: 'run', stage: 'full', command: 'modal run eval.py --num-trials 2' },
  ],
});

const T0 = Date.parse('2026-01-01T00:00:00Z');
function fold(inputs: Array<EventInput & { at?: number }>): ViewState {
  return inputs.reduce(
    (s, { at = 0, ...e }, seq) => foldView(s, { ...e, seq, ts: new Date(T0 + at).toISOString() } as Event),
    initialView(playbook),
  );
}
const out = (line: string, at?: number): EventInput & { at?: number } => ({ type: 'command_output', commandId: 'c2', stream: 'stdout', line, at });

// The OpenVLA-OFT LIBERO loop's lines, as the full stage prints them.
const fullStage = [
  { type: 'step_done', step: 'smoke', outcome: 'passed' },
  { type: 'step_entered', step: 'full', attempt: 1 },
  { type: 'command_started', commandId: 'c2', step: 'full', command: 'modal run eval.py --num-trials 2', cwd: '/ws' },
  out('LIBERO environment created: libero_spatial (10 tasks)'),
  out('Task: pick up the black bowl'),
  out('Success: True'),
  out('# episodes completed so far: 1'),
  out('# successes: 1 (100.0%)'),
  out('Success: False'),
  out('# episodes completed so far: 2'),
  out('# successes: 1 (50.0%)'),
  out('Current task success rate: 0.5'),
  out('Task: put the bowl on the plate'),
  out('Success: True'),
  out('# episodes completed so far: 3'),
  out('# successes: 2 (66.7%)', 60_000),
] as Array<EventInput & { at?: number }>;

afterEach(cleanup);

describe('stage progress', () => {
  it('shows episodes done of trials × tasks, successes so far, per-task rates and time left', async () => {
    const state = fold(fullStage);
    const r = mount(<Stages state={state} now={T0 + 60_000} />);
    const f = await r.waitFor('episodes');
    expect(f).toContain('✓ smoke');
    expect(f).toContain('▶ full');
    // 3 of 2 trials × 10 tasks, at 20 s an episode: 17 left take 5m40s.
    // A 100-column screen gives the bar 40 cells: 3 of 20 fill 6.
    expect(f).toMatch(/\[#{6}\.{34}\] 3 of 20 episodes · 2 succeeded \(67%\) · 5m40s left/);
    expect(f).toContain('task 1: 50%  task 2: …');
  });

  it('fills the bar as episodes complete and drops it when the command exits', async () => {
    const halfway = fold([...fullStage, out('# episodes completed so far: 10')]);
    const r = mount(<Stages state={halfway} now={T0 + 60_000} />);
    expect(await r.waitFor('10 of 20')).toMatch(/\[#{20}\.{20}\]/);
    const exited = foldView(halfway, {
      type: 'command_exited', commandId: 'c2', step: 'full', exitCode: 0, signal: null, durationMs: 1, metrics: {}, tail: [], seq: 99, ts: new Date(T0).toISOString(),
    });
    r.unmount();
    const after = mount(<Stages state={exited} now={T0} />);
    const f = await after.waitFor('full');
    expect(f).not.toContain('episodes');
  });

  it('counts episodes without a total when the task count is not printed', async () => {
    const r = mount(<Stages state={fold([fullStage[2]!, out('# episodes completed so far: 4')])} now={T0} />);
    const f = await r.waitFor('episodes');
    expect(f).toMatch(/\[\.+\] 4 episodes/);
    expect(f).not.toContain('left');
  });

  it('gives each suite running at once its own labelled bar, and drops each as its command exits', async () => {
    const two = Playbook.parse({
      name: 'eval',
      steps: [{ id: 'full', kind: 'run', stage: 'full', command: 'modal run eval.py --task-suite {{suite}} --num-trials 2', for_each: { var: 'suite', in: '{{suites}}' } }],
    });
    const started = (commandId: string, item: string): EventInput => ({ type: 'command_started', commandId, step: 'full', item, command: `modal run eval.py --task-suite ${item} --num-trials 2`, cwd: '/ws' });
    const line = (commandId: string, text: string): EventInput => ({ type: 'command_output', commandId, stream: 'stdout', line: text });
    const events: EventInput[] = [
      { type: 'step_entered', step: 'full', attempt: 1 },
      started('c5', 'libero_spatial'),
      started('c6', 'libero_object'),
      line('c5', 'LIBERO environment created: libero_spatial (10 tasks)'),
      line('c6', 'LIBERO environment created: libero_object (10 tasks)'),
      line('c6', '# episodes completed so far: 1'),
      line('c5', '# episodes completed so far: 1'),
      line('c6', '# episodes completed so far: 2'),
      line('c6', '# successes: 2 (100.0%)'),
      line('c5', '# episodes completed so far: 2'),
      line('c5', '# episodes completed so far: 3'),
    ];
    const state = events.reduce((s, e, seq) => foldView(s, { ...e, seq, ts: new Date(T0).toISOString() } as Event), initialView(two));
    const r = mount(<Stages state={state} now={T0 + 60_000} />);
    const f = await r.waitFor('libero_object');
    // 100 columns leave 40 cells, less the label's 15: 3 of 20 fill 4, 2 of 20 fill 3 (2.5 rounded up).
    // Each suite's time left is from its own pace: 20 s an episode for spatial, 30 s for object.
    expect(f).toMatch(/^libero_spatial \[#{4}\.{21}\] 3 of 20 episodes · 5m40s left$/m);
    expect(f).toMatch(/^libero_object {2}\[#{3}\.{22}\] 2 of 20 episodes · 2 succeeded \(100%\) · 9m00s left$/m);
    r.unmount();
    const exited = foldView(state, { type: 'command_exited', commandId: 'c6', step: 'full', item: 'libero_object', exitCode: 0, signal: null, durationMs: 1, metrics: {}, tail: [], seq: 99, ts: new Date(T0).toISOString() });
    const after = mount(<Stages state={exited} now={T0} />);
    const g = await after.waitFor('libero_spatial');
    expect(g).not.toContain('libero_object');
    expect(g.match(/episodes/g)).toHaveLength(1);
  });
});
