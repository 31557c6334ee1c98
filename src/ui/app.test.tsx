import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import chalk from 'chalk';
import { cleanup } from 'ink-testing-library';
import { Playbook } from '../playbook/schema.js';
import type { Event, EventInput } from '../events/schema.js';
import { HumanDecider } from '../runner/deciders.js';
import { App } from './app.js';
import { ViewStore } from './store.js';
import { themeFor } from './theme.js';
import { KEY, mount } from '../../tests/integration/interactive-rig.js';

const playbook = Playbook.parse({
  name: 'fix-failing-test',
  budgets: { turns: 12, dollars: 2, wall_time: '20m' },
  steps: [
    { id: 'fix', kind: 'prompt', title: 'Ask the agent for a fix', prompt: 'Make the failing tests pass.' },
    { id: 'verify', kind: 'run', stage: 'tests', command: 'python3 -m unittest' },
  ],
});

function app(events: EventInput[], opts: { mode?: 'interactive' | 'autopilot'; env?: NodeJS.ProcessEnv } = {}) {
  const store = new ViewStore(playbook, 0);
  const decider = new HumanDecider(opts.mode);
  const calls: string[] = [];
  store.controls = { interrupt: () => calls.push('interrupt'), quit: () => calls.push('quit'), say: (t) => calls.push(`say:${t}`) };
  events.forEach((e, seq) => store.push({ ...e, seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() } as Event));
  const r = mount(<App store={store} decider={decider} theme={themeFor(opts.env ?? {})} />);
  return { r, store, decider, calls };
}

const started: EventInput = {
  type: 'run_started', runId: '20260101-000000-abcd', playbook: 'fix-failing-test', playbookPath: '/p.yaml', playbookHash: 'h',
  vars: {}, mode: 'interactive', workspace: '/ws', branch: 'b', agent: 'anthropic', model: 'claude-sonnet-4-6',
};
const inTurn: EventInput[] = [
  started,
  { type: 'step_entered', step: 'fix', attempt: 1 },
  { type: 'prompt_sent', promptId: 'p1', step: 'fix', text: 'Make the failing tests pass.' },
  { type: 'agent_text', turn: 1, text: "I'll run the tests first." },
  { type: 'tool_call', turn: 1, callId: 't1', name: 'bash', input: { command: 'python3 -m unittest -v' } },
];

afterEach(cleanup);

describe('the terminal app', () => {
  it('shows the header: playbook, run, mode, step, budgets against their limits', async () => {
    const { r } = app([...inTurn, { type: 'budget_spent', turns: 1, tokens: 5610, dollars: 0.0213, wallMs: 9000 }]);
    const f = await r.waitFor('spent');
    expect(f).toContain('labpilot fix-failing-test · run 20260101-000000-abcd · interactive · claude-sonnet-4-6');
    expect(f).toContain('step fix (Ask the agent for a fix) · agent working');
    expect(f).toMatch(/spent \$0\.02\/\$2 · tokens 5610 · turns 1\/12 · time \S+\/20m00s/);
  });

  it('streams the agent: text in the history, a tool call in flight, then folded with its result', async () => {
    const { r, store } = app(inTurn);
    expect(await r.waitFor('⚙ bash')).toMatch(/⚙ bash \{"command":"python3 -m unittest -v"\} …/);
    expect(r.frame()).toContain("I'll run the tests first.");
    store.push({ type: 'tool_result', turn: 1, callId: 't1', output: 'test_add ... FAIL\ntest_multiply ... FAIL\n\nFAILED (failures=2)', isError: false, seq: 10, ts: '' });
    const f = await r.waitFor('(+2 lines)');
    expect(f).toMatch(/⚙ bash \{"command":"python3 -m unittest -v"\} → test_add \.\.\. FAIL \(\+2 lines\)/);
    expect(f).not.toMatch(/⚙ bash .* …$/m);
  });

  it('Esc stops the agent’s turn and asks what to tell it instead; the answer is its next turn', async () => {
    const { r, calls } = app(inTurn);
    await r.waitFor('agent working');
    await r.press(KEY.escape);
    await r.waitFor('What should the agent do instead?');
    expect(calls).toEqual(['interrupt']);
    await r.type('Only fix multiply.');
    await r.waitFor('Only fix multiply.');
    await r.press(KEY.ctrlS);
    await expect.poll(() => calls).toEqual(['interrupt', 'say:Only fix multiply.']);
  });

  it('Esc during a command offers to stop it: y stops it, any other key goes back', async () => {
    const { r, calls, store } = app(inTurn);
    store.controls!.stopCommand = () => calls.push('stop');
    store.push({ type: 'command_started', commandId: 'c1', step: 'verify', command: 'python3 -m unittest', cwd: '/ws', seq: 20, ts: '' });
    await r.waitFor('running a command');
    await r.press(KEY.escape);
    await r.waitFor('Stop the running command?');
    await r.press('n');
    await expect.poll(() => r.frame()).not.toContain('Stop the running command?');
    expect(calls).toEqual([]);
    await r.press(KEY.escape);
    await r.waitFor('Stop the running command?');
    await r.press('y');
    await expect.poll(() => calls).toEqual(['stop']);
  });

  it('Ctrl-C warns first and quits on the second press; another key in between disarms it', async () => {
    const { r, calls } = app(inTurn);
    await r.waitFor('Ctrl-C×2 quit');
    await r.press(KEY.ctrlC);
    await r.waitFor('Press Ctrl-C again to quit; the run stays resumable.');
    await r.press('?');
    await r.waitFor('Ctrl-C×2 quit');
    await r.press(KEY.ctrlC);
    await r.waitFor('Press Ctrl-C again');
    await r.press(KEY.ctrlC);
    await expect.poll(() => calls).toEqual(['quit']);
  });

  it('m switches to autopilot: the open question is answered by policy and the header says so', async () => {
    const { r, decider } = app([started, { type: 'step_entered', step: 'fix', attempt: 1 }]);
    const answer = decider.decide({ kind: 'prompt', promptId: 'p1', step: 'fix', origin: 'step', text: 'Make the failing tests pass.' });
    await r.waitFor('labpilot wants to send prompt p1');
    await r.press('m');
    await expect(answer).resolves.toMatchObject({ verdict: 'approve', by: 'policy' });
    const f = await r.waitFor(/· autopilot/);
    expect(f).not.toContain('wants to send');
  });

  it('p during the agent\'s turn sends the person\'s own prompt to the run, to go when the turn ends', async () => {
    const { r, decider, calls } = app(inTurn);
    await r.waitFor('agent working');
    await r.write('p', 'Prompt to the agent', 'Keep add() as it is.');
    await r.waitFor('? keys');
    expect(calls).toEqual(['say:Keep add() as it is.']);
    expect(decider.queuedNotes).toEqual([]);
  });

  it('? shows the keys', async () => {
    const { r } = app(inTurn);
    await r.waitFor('? keys');
    await r.press('?');
    const f = await r.waitFor('Ctrl-C twice');
    expect(f).toContain("interrupt the agent's turn, or offer to stop a command");
  });

  it('fits its lines to the terminal’s width, following a resize', async () => {
    const { r } = app(inTurn);
    await r.waitFor('spent');
    r.resize(50);
    await r.waitFor(/^labpilot fix-failing-test · run 20260101-0000\S*…$/m);
    const live = r.frame().split('\n').slice(-8);
    for (const line of live) expect(line.length).toBeLessThanOrEqual(50);
  });

  describe('colour', () => {
    const level = chalk.level;
    beforeAll(() => {
      chalk.level = 3;
    });
    afterAll(() => {
      chalk.level = level;
    });
    // SGR foreground colours (30-38, 90-97); bold and inverse are not colour.
    const COLOUR = new RegExp(String.raw`\u001b\[(3[0-8]|9[0-7])(;\d+)*m`);

    it('is used by default', async () => {
      const { r } = app(inTurn);
      await r.waitFor('spent');
      expect(r.raw()).toMatch(COLOUR);
    });

    it('is never written with NO_COLOR set', async () => {
      const { r } = app(inTurn, { env: { NO_COLOR: '1' } });
      await r.waitFor('spent');
      expect(r.raw()).not.toMatch(COLOUR);
      expect(r.frame()).toContain('⚙ bash');
    });
  });
});
