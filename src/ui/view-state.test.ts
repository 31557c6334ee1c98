import { describe, expect, it } from 'vitest';
import type { Event, EventInput } from '../events/schema.js';
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
    expect(running.command?.tail).toEqual(['line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19']);
    const done = foldView(running, { type: 'command_exited', commandId: 'c1', step: 'verify', exitCode: 2, signal: null, durationMs: 1500, metrics: {}, tail: ['boom'], seq: 30, ts: '' });
    expect(done.command).toBeUndefined();
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
