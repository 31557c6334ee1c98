import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import type { Event, EventInput } from '../events/schema.js';
import { ReplayApp } from './replay-app.js';
import { loadWalk } from './replay-load.js';
import { runPoints, type ReplayWalk } from './replay-points.js';
import { themeFor } from './theme.js';
import { KEY, mount } from '../../tests/integration/interactive-rig.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SESSION = join(ROOT, 'tests', 'fixtures', 'transcripts', 'claude-code-rsd-session.jsonl');
const PLAYBOOK = join(ROOT, 'playbooks', 'rsd-phase3.yaml');

const screen = (walk: ReplayWalk) => mount(<ReplayApp walk={walk} theme={themeFor({ NO_COLOR: '1' })} />);

afterEach(cleanup);

describe('labpilot replay --step over a transcript measured against a playbook', () => {
  it('steps point by point with n and p, showing the step, the event and what the person sent', async () => {
    const walk = await loadWalk({ file: SESSION, format: 'claude-code', playbook: PLAYBOOK, strict: false });
    const r = screen(walk);
    let f = await r.waitFor('point 1 of 7');
    expect(f).toMatch(/^step setup/m);
    expect(f).toContain('matches: none');
    expect(f).toContain('coverage: next step');
    await r.press('n');
    f = await r.waitFor('point 2 of 7');
    expect(f).toMatch(/^step task1/m);
    await r.press(KEY.right);
    await r.waitFor('point 3 of 7');
    await r.press('p');
    await r.waitFor('point 2 of 7');
    await r.press(KEY.left, KEY.left);
    f = await r.waitFor('point 1 of 7');
    // There is nothing before the first point: p stays there.
    await r.press('p');
    expect(await r.waitFor('point 1 of 7')).toMatch(/^step setup/m);
  });

  it('jumps with t to the points where a trigger matched or the playbook missed: the CUDA OOM, the checkpoint keys, the missed table, the episode errors', async () => {
    const walk = await loadWalk({ file: SESSION, format: 'claude-code', playbook: PLAYBOOK, strict: false });
    const r = screen(walk);
    await r.waitFor('point 1 of 7');
    await r.press('t');
    let f = await r.waitFor('point 3 of 7');
    expect(f).toMatch(/^step smoke \(Smoke: 1 trial, speculative decoding off\)/m);
    expect(f).toMatch(/! cuda-oom \(command output\): torch\.OutOfMemoryError: CUDA out of memory/);
    expect(f).toContain('coverage: covered: the playbook would have said what the person said (cuda-oom)');
    expect(f).toMatch(/similarity: the playbook's text says \d+% of what the person said/);
    expect(f).toMatch(/playbook would send cuda-oom: .*The smoke stage ran out of GPU memory/);
    expect(f).toMatch(/event #\d+ \(line 14\) prompt_sent:/);
    await r.press('t');
    f = await r.waitFor('point 4 of 7');
    expect(f).toMatch(/! checkpoint-keys \(command output\): RuntimeError: Error\(s\) in loading state_dict for DraftModel:/);
    expect(f).toMatch(/person sent: The draft checkpoint keys carry a module\. prefix from DataParallel\./);
    await r.press('t');
    f = await r.waitFor('point 5 of 7');
    expect(f).toContain('coverage: MISSED');
    expect(f).toContain('person sent: Print a per-task success table');
    await r.press('t');
    f = await r.waitFor('point 7 of 7 (last)');
    expect(f).toMatch(/! episode-errors/);
    expect(f).toContain('person sent: (nothing: the transcript ends)');
    await r.press('t');
    f = await r.waitFor('no later point where a trigger matched or the playbook missed');
    expect(f).toContain('point 7 of 7');
    // And back: T walks the trigger points in reverse, and says when there is none before.
    await r.press('T');
    await r.waitFor('point 5 of 7');
    await r.press('T');
    f = await r.waitFor('point 4 of 7');
    expect(f).toMatch(/! checkpoint-keys/);
    await r.press('T');
    await r.waitFor('point 3 of 7');
    await r.press('T');
    f = await r.waitFor('no earlier point where a trigger matched or the playbook missed');
    expect(f).toContain('point 3 of 7');
  });
});

const at = (events: EventInput[]): Event[] => events.map((e, seq) => ({ ...e, seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() }) as Event);

const run = at([
  {
    type: 'run_started', runId: '20260101-000000-abcd', playbook: 'smoke', playbookPath: '/p.yaml', playbookHash: 'h',
    vars: {}, mode: 'autopilot', workspace: '/ws', branch: 'b', agent: 'anthropic', model: 'claude-sonnet-4-6',
  },
  { type: 'step_entered', step: 'smoke', attempt: 1 },
  { type: 'command_started', commandId: 'c1', step: 'smoke', command: 'modal run smoke.py', cwd: '/ws' },
  { type: 'command_output', commandId: 'c1', stream: 'stdout', line: 'torch.OutOfMemoryError: CUDA out of memory' },
  { type: 'trigger_matched', remediation: 'cuda-oom', step: 'smoke', source: 'command_output', line: 'torch.OutOfMemoryError: CUDA out of memory', groups: [] },
  { type: 'command_exited', commandId: 'c1', step: 'smoke', exitCode: 1, signal: null, durationMs: 1200, tail: ['torch.OutOfMemoryError: CUDA out of memory'], metrics: {} },
  { type: 'step_entered', step: 'smoke', attempt: 2 },
]);

describe('labpilot replay --step over a run log', () => {
  it('stops at every event but the output lines, folding the state up to each', async () => {
    const walk: ReplayWalk = { title: 'run 20260101-000000-abcd', events: run, points: runPoints(run) };
    expect(walk.points.map((p) => walk.events[p.at]!.type)).toEqual(['run_started', 'step_entered', 'command_started', 'trigger_matched', 'command_exited', 'step_entered']);
    const r = screen(walk);
    expect(await r.waitFor('point 1 of 6')).toContain('no step yet');
    await r.press('t');
    let f = await r.waitFor('point 4 of 6');
    expect(f).toMatch(/step smoke · phase command/);
    expect(f).toContain('event #4 trigger_matched: trigger cuda-oom (command_output): torch.OutOfMemoryError');
    expect(f).toContain('! cuda-oom (command output): torch.OutOfMemoryError: CUDA out of memory');
    await r.press('n', 'n');
    f = await r.waitFor('point 6 of 6 (last)');
    expect(f).toMatch(/step smoke attempt 2 · phase checking/);
    expect(f).toContain('matches: none');
    await r.press('p', 'p', 'p');
    expect(await r.waitFor('point 3 of 6')).toMatch(/step smoke · phase command/);
  });

  it('shows its keys on ? and ends on q', async () => {
    const r = screen({ title: 'run x', events: run, points: runPoints(run) });
    await r.waitFor('point 1 of 6');
    await r.press('?');
    expect(await r.waitFor('jump to the next point where a trigger matched')).toContain('previous point');
    await r.press('?');
    await r.waitFor('? keys');
    await r.press('q');
    // Ink unmounts the app on exit: the last frame stays, further keys change nothing.
    await r.press('n');
    // Any further key waits for the screen to settle first: by then n would have moved it.
    await r.press('?');
    expect(r.frame()).toContain('point 1 of 6');
    expect(r.frame()).not.toContain('previous point');
  });
});

describe('labpilot replay --step without a terminal', () => {
  it('refuses with a one-line input error and prints nothing', async () => {
    const { PassThrough } = await import('node:stream');
    const { replayCommand } = await import('../commands/replay.js');
    const { InputError } = await import('../errors.js');
    const out = new PassThrough();
    let printed = '';
    out.on('data', (b: Buffer) => (printed += b.toString()));
    const err = await replayCommand({ target: SESSION, playbook: PLAYBOOK, step: true, out, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('--step needs a terminal (stdout and stdin a TTY); drop --step to print the replay');
    expect(printed).toBe('');
  });
});
