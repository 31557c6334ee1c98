import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { Playbook } from '../playbook/schema.js';
import { compiled } from '../playbook/compile.js';
import type { CompiledPlaybook } from './context.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';
import type { Event, EventInput, EventOf } from '../events/schema.js';
import { of } from '../../tests/helpers/cli.js';

/**
 * A run step with `for_each` runs one command per value at once (several LIBERO suites as
 * parallel `modal run` processes); each value is gated on its own figures, a failure is
 * remediated for the value that failed, and a retry reruns only the values that failed.
 */
const playbook = {
  name: 'suites',
  variables: { suite: { default: 'libero_spatial' }, suites: { default: '' } },
  steps: [
    {
      id: 'full',
      kind: 'run',
      for_each: { var: 'suite', in: '{{suites}}' },
      command: 'modal run eval.py --task-suite {{suite}}',
      done_when: [
        { check: 'exit_code', equals: 0 },
        { check: 'metric', expr: 'success_rate >= 0.8', name: 'success of {{suite}}' },
      ],
    },
  ],
  remediations: [
    // Higher priority, but it matched only in the suite that passed: it must not be chosen.
    { id: 'noise', when: { match: 'Warning' }, then: { prompt: 'noise in {{suite}}' }, steps: ['full'], priority: 9 },
    { id: 'oom', when: { match: 'out of memory' }, then: { prompt: 'fix {{suite}}: {{match}} (exit {{exit_code}})' }, steps: ['full'] },
  ],
  checklist: [{ item: 'success at least 0.8', verify: { check: 'metric', step: 'full', expr: 'success_rate >= 0.8' } }],
};

const compile = (vars: Record<string, string>): CompiledPlaybook => compiled(Playbook.parse(playbook), {}, { suite: 'libero_spatial', suites: '', ...vars });


/** Passes a metric gate when the figures it was judged on say so. */
const byMetrics = (_name: string, metrics?: Record<string, number>) => (metrics?.success_rate ?? 0) >= 0.8;

describe('a step that fans out over a list', () => {
  it('runs one command per value, binds the variable, and judges each value under its own name', () => {
    const engine = new Engine(compile({ suites: 'libero_goal, libero_10' }));
    const { log } = simulate(
      engine,
      runStarted(),
      world({ commandOutput: (cmd) => ({ lines: ['done'], exitCode: 0, metrics: { success_rate: cmd.includes('goal') ? 0.9 : 0.85 } }), gate: byMetrics }),
    );
    const started = log.filter(of('command_started'));
    expect(started.map((e) => [e.commandId, e.item, e.command])).toEqual([
      ['c1', 'libero_goal', "modal run eval.py --task-suite 'libero_goal'"],
      ['c2', 'libero_10', "modal run eval.py --task-suite 'libero_10'"],
    ]);
    // Both were started before either exited: they ran at once.
    expect(log.findIndex(of('command_started'))).toBeLessThan(log.findIndex(of('command_exited')));
    expect(log.filter((e) => e.type === 'command_started').length).toBe(2);
    const gates = log.filter(of('gate_judged')).map((g) => `${g.scope}: ${g.check} ${g.passed}`);
    expect(gates).toEqual([
      'step: exit code is 0 [libero_goal] true',
      'step: success of libero_goal [libero_goal] true',
      'step: exit code is 0 [libero_10] true',
      'step: success of libero_10 [libero_10] true',
      'checklist: success at least 0.8 [libero_goal] true',
      'checklist: success at least 0.8 [libero_10] true',
    ]);
    expect(log.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('remediates the value that failed, with its own output, and reruns only that value', () => {
    const engine = new Engine(compile({ suites: 'libero_goal,libero_10' }));
    const { log } = simulate(
      engine,
      runStarted(),
      world({
        commandOutput: (cmd, n) =>
          cmd.includes('goal')
            ? { lines: ['Warning: slow disk', 'ok'], exitCode: 0, metrics: { success_rate: 0.9 }, hits: ['noise'] }
            : n === 2
              ? { lines: ['torch.OutOfMemoryError: CUDA out of memory'], exitCode: 1, metrics: {} as Record<string, number>, hits: ['oom'] }
              : { lines: ['ok'], exitCode: 0, metrics: { success_rate: 0.82 } },
        gate: byMetrics,
      }),
    );
    expect(log.filter(of('remediation_chosen')).map((e) => [e.remediation, e.item])).toEqual([['oom', 'libero_10']]);
    expect(log.filter(of('prompt_sent')).map((e) => e.text)).toEqual(['fix libero_10: torch.OutOfMemoryError: CUDA out of memory (exit 1)']);
    // The retry: one command, for the suite that failed, under a new id.
    const started = log.filter(of('command_started'));
    expect(started.map((e) => [e.commandId, e.item])).toEqual([
      ['c1', 'libero_goal'],
      ['c2', 'libero_10'],
      ['c3', 'libero_10'],
    ]);
    const retried = log.slice(log.findIndex((e) => e.type === 'step_entered' && e.attempt === 2));
    expect(retried.filter(of('gate_judged')).filter((g) => g.scope === 'step').map((g) => g.check)).toEqual([
      'exit code is 0 [libero_10]',
      'success of libero_10 [libero_10]',
    ]);
    // The checklist reads both suites' last runs: the one that passed first time, the retried one.
    const checklist = log.filter(of('gate_judged')).filter((g) => g.scope === 'checklist');
    expect(checklist.map((g) => [g.check, g.passed])).toEqual([
      ['success at least 0.8 [libero_goal]', true],
      ['success at least 0.8 [libero_10]', true],
    ]);
    expect(log.at(-1)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('fails the run naming every value that failed when no remediation is left', () => {
    const engine = new Engine(compile({ suites: 'libero_goal,libero_10' }));
    const { log } = simulate(engine, runStarted(), world({ commandOutput: () => ({ lines: ['no'], exitCode: 0, metrics: { success_rate: 0.5 } }), gate: byMetrics }));
    const end = log.at(-1) as EventOf<'run_ended'>;
    expect(end.verdict).toBe('failed');
    expect(end.reason).toContain('success of libero_goal [libero_goal]');
    expect(end.reason).toContain('success of libero_10 [libero_10]');
    expect(log.filter(of('command_started'))).toHaveLength(2);
  });

  it('runs the step once, without values, when the list is empty', () => {
    const engine = new Engine(compile({}));
    const { log } = simulate(engine, runStarted(), world({ commandOutput: () => ({ lines: [], exitCode: 0, metrics: { success_rate: 0.9 } }), gate: byMetrics }));
    const started = log.filter(of('command_started'));
    expect(started.map((e) => [e.command, e.item])).toEqual([["modal run eval.py --task-suite 'libero_spatial'", undefined]]);
    expect(log.filter(of('gate_judged')).map((g) => g.check)).toEqual(['exit code is 0', 'success of libero_spatial', 'success at least 0.8']);
  });

  it('a run killed while values were still running resumes only those', () => {
    const engine = new Engine(compile({ suites: 'libero_goal,libero_10' }));
    let snapshot = engine.initial();
    let seq = 0;
    const feed = (e: EventInput) => {
      const r = engine.next(snapshot, { ...e, seq: seq++, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() } as Event);
      snapshot = r.snapshot;
      return r.effects;
    };
    const first = feed(runStarted()).find((e) => e.kind === 'run_commands');
    expect(first).toMatchObject({ kind: 'run_commands', runs: [{ commandId: 'c1' }, { commandId: 'c2' }] });
    const exited: EventInput & { type: 'command_exited' } = {
      type: 'command_exited', commandId: 'c1', step: 'full', item: 'libero_goal', exitCode: 0, signal: null, durationMs: 1, metrics: { success_rate: 0.9 }, tail: [],
    };
    expect(feed(exited)).toEqual([]);
    // Killed here: the fold of the log says only c2 is still owed.
    const again = feed({ type: 'run_resumed', runId: 'r1', fromSeq: seq }).find((e) => e.kind === 'run_commands');
    expect(again).toMatchObject({ kind: 'run_commands', runs: [{ commandId: 'c2', item: 'libero_10' }] });
    const checks = feed({ ...exited, commandId: 'c2', item: 'libero_10' }).find((e) => e.kind === 'run_checks');
    expect(checks && checks.kind === 'run_checks' && checks.checks.map((c) => c.name)).toEqual([
      'exit code is 0 [libero_goal]',
      'success of libero_goal [libero_goal]',
      'exit code is 0 [libero_10]',
      'success of libero_10 [libero_10]',
    ]);
  });
});
