import { describe, expect, it } from 'vitest';
import type { Event, EventInput } from '../events/schema.js';
import { Playbook } from '../playbook/schema.js';
import { liberoOutput, RunLog } from '../../tests/helpers/libero-run.js';
import { foldView, initialView } from './view-state.js';

const fold = (inputs: EventInput[]) => inputs.reduce((s, e, seq) => foldView(s, { ...e, seq, ts: '2026-01-01T00:00:00Z' } as Event), initialView());

describe('the app’s view of the event stream', () => {
  it('history only grows, one entry per finished thing, keyed by its place in the log', () => {
    const s = fold([
      { type: 'step_entered', step: 'fix', attempt: 1 },
      { type: 'prompt_sent', promptId: 'p1', step: 'fix', text: 'Fix it.' },
      { type: 'tool_call', turn: 1, callId: 't1', name: 'bash', input: { command: 'ls' } },
    ]);
    expect(s.history.map((e) => [e.key, e.kind])).toEqual([
      ['0', 'step'],
      ['1', 'sent'],
    ]);
    expect(s.tools).toEqual([{ callId: 't1', name: 'bash', input: '{"command":"ls"}' }]);
    const after = foldView(s, { type: 'tool_result', turn: 1, callId: 't1', output: 'a.py', isError: false, seq: 3, ts: '' });
    // Entries already written above the live area are the same objects: <Static> never redraws them.
    expect(after.history[0]).toBe(s.history[0]);
    expect(after.history[1]).toBe(s.history[1]);
    expect(after.history.at(-1)).toMatchObject({ key: '3', kind: 'tool', name: 'bash', output: 'a.py' });
    expect(after.tools).toEqual([]);
  });

  it('keeps the last lines of the running command and moves it to the history when it exits', () => {
    const lines = Array.from({ length: 20 }, (_, i): EventInput => ({ type: 'command_output', commandId: 'c1', stream: 'stdout', line: `line ${i}` }));
    const running = fold([{ type: 'command_started', commandId: 'c1', step: 'verify', command: 'make test', cwd: '/ws' }, ...lines]);
    expect(running.phase).toBe('command');
    expect(running.commands.map((c) => c.tail)).toEqual([['line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19']]);
    const done = foldView(running, { type: 'command_exited', commandId: 'c1', step: 'verify', exitCode: 2, signal: null, durationMs: 1500, metrics: {}, tail: ['boom'], seq: 30, ts: '' });
    expect(done.commands).toEqual([]);
    expect(done.phase).toBe('checking');
    expect(done.history.at(-1)).toMatchObject({ kind: 'command', command: 'make test', exit: 'exit 2', tail: ['boom'] });
  });

  it('remembers the matched line and why the remediation was chosen, for the approval prompt', () => {
    const s = fold([
      { type: 'trigger_matched', remediation: 'oom', step: 'full', source: 'command_output', line: 'CUDA out of memory', groups: [] },
      { type: 'remediation_chosen', remediation: 'oom', step: 'full', action: 'prompt', attempt: 1, why: 'oom (priority 50)' },
    ]);
    expect(s.trigger).toEqual({ remediation: 'oom', line: 'CUDA out of memory' });
    expect(s.choice).toEqual({ remediation: 'oom', why: 'oom (priority 50)' });
  });
});

describe('several commands at once (a step fanned out over suites)', () => {
  // Full runs both suites at once; libero_object's shorter output ends first.
  const log = new RunLog().add({ type: 'step_entered', step: 'full', attempt: 1 });
  log.parallel('full', [
    { item: 'libero_spatial', lines: liberoOutput({ suite: 'libero_spatial', trials: 3, successes: [3, 2], inferenceMs: () => 50, acceptance: 0.7 }) },
    { item: 'libero_object', lines: liberoOutput({ suite: 'libero_object', trials: 2, successes: [2, 1], inferenceMs: () => 40, acceptance: 0.8 }), exitCode: 1 },
  ]);
  const upTo = (n: number) => log.events.slice(0, n).reduce(foldView, initialView());
  const firstExit = log.events.findIndex((e) => e.type === 'command_exited');
  /** What a command printed last about its episodes, up to a point of the log. */
  const episodesOf = (commandId: string, n: number) =>
    Number(/\d+$/.exec(log.events.slice(0, n).flatMap((e) => (e.type === 'command_output' && e.commandId === commandId && e.line.startsWith('# episodes') ? [e.line] : [])).at(-1) ?? '0')![0]);

  it('keeps each running command with its own suite, lines and progress, in the order they started', () => {
    const s = upTo(firstExit);
    expect(s.phase).toBe('command');
    expect(s.commands.map((c) => [c.commandId, c.item])).toEqual([
      ['c1', 'libero_spatial'],
      ['c2', 'libero_object'],
    ]);
    expect(s.commands.map((c) => c.progress.episodes)).toEqual([episodesOf('c1', firstExit), episodesOf('c2', firstExit)]);
    expect(s.commands[0]!.progress.episodes).toBeGreaterThan(0);
    // Interleaved, yet each tail holds only its own command's lines.
    expect(s.commands[0]!.tail.join('\n')).not.toContain('libero_object');
    expect(s.commands[1]!.progress).toMatchObject({ tasks: 2, total: 4 });
    expect(s.commands[1]!.tail.at(-1)).toMatch(/^Results saved to \/results\/phase3_libero_object/);
  });

  it('folds a finished command into the history, labelled, while the other keeps running', () => {
    const s = upTo(firstExit + 1);
    expect(s.history.at(-1)).toMatchObject({ kind: 'command', item: 'libero_object', exit: 'exit 1' });
    expect(s.commands.map((c) => c.item)).toEqual(['libero_spatial']);
    expect(s.phase).toBe('command');
    const judged = foldView(s, { type: 'gate_judged', scope: 'step', step: 'full', check: 'exit code 0 [libero_object]', passed: false, detail: 'exit 1', seq: 999, ts: '' });
    expect(judged.phase).toBe('command');
    const done = upTo(log.events.length);
    expect(done.commands).toEqual([]);
    expect(done.phase).toBe('checking');
    expect(done.history.filter((e) => e.kind === 'command').map((e) => e.kind === 'command' && [e.item, e.exit])).toEqual([
      ['libero_object', 'exit 1'],
      ['libero_spatial', 'exit 0'],
    ]);
  });

  it('lets a rerun of one suite run beside the others, and drops a command that never exited when another step starts', () => {
    const s = fold([
      { type: 'command_started', commandId: 'c1', step: 'full', command: 'eval a', cwd: '/ws', item: 'a' },
      { type: 'command_started', commandId: 'c2', step: 'full', command: 'eval b', cwd: '/ws', item: 'b' },
      { type: 'command_started', commandId: 'c3', step: 'full', command: 'eval b', cwd: '/ws', item: 'b' },
    ]);
    expect(s.commands.map((c) => c.commandId)).toEqual(['c1', 'c3']);
    const next = foldView(s, { type: 'command_started', commandId: 'c4', step: 'baseline', command: 'eval', cwd: '/ws', seq: 9, ts: '' });
    expect(next.commands.map((c) => c.commandId)).toEqual(['c4']);
    expect(foldView(s, { type: 'run_resumed', runId: 'r', fromSeq: 3, seq: 9, ts: '' }).commands).toEqual([]);
  });

  it('judges a checklist item per suite in the pending item’s place, in order', () => {
    const pb = Playbook.parse({
      name: 'p',
      steps: [{ id: 'full', kind: 'run', command: 'eval {{suite}}', for_each: { var: 'suite', in: '{{suites}}' } }],
      checklist: [
        { item: 'speedup at least 1.3x', verify: { check: 'metric', step: 'full', expr: 'speedup >= 1.3' } },
        { item: 'report written', verify: { check: 'file_exists', path: 'R.md' } },
      ],
    });
    const judged = (check: string, passed: boolean): EventInput => ({ type: 'gate_judged', scope: 'checklist', check, passed, detail: 'measured' });
    const s = [
      { type: 'run_started', runId: 'r', playbook: 'p', playbookPath: '/p.yaml', playbookHash: 'h', vars: { suites: 'a,b' }, mode: 'autopilot', workspace: '/ws', branch: 'b', agent: 'x', model: 'm' } as EventInput,
      judged('speedup at least 1.3x [a]', true),
      judged('speedup at least 1.3x [b]', false),
    ].reduce((v, e, seq) => foldView(v, { ...e, seq, ts: '2026-01-01T00:00:00Z' } as Event), initialView(pb));
    expect(s.checklist.map((i) => [i.label, i.state])).toEqual([
      ['speedup at least 1.3x [a]', 'passed'],
      ['speedup at least 1.3x [b]', 'failed'],
      ['report written', 'pending'],
    ]);
  });
});
