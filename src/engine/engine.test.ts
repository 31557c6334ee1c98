import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { Playbook } from '../playbook/schema.js';
import { compiled } from '../playbook/compile.js';
import type { CompiledPlaybook } from './context.js';
import { runStarted, simulate, world } from '../../tests/helpers/simulate.js';
import type { Event, EventInput, EventOf } from '../events/schema.js';
import type { Effect } from './effects.js';

const compile = (doc: unknown, vars: Record<string, string> = {}): CompiledPlaybook => compiled(Playbook.parse(doc), {}, vars);

const fixAndVerify = {
  name: 'fix',
  budgets: { turns: 10 },
  steps: [
    { id: 'fix', kind: 'prompt', prompt: 'Fix {{thing}}.' },
    {
      id: 'verify',
      kind: 'run',
      command: 'test {{thing}}',
      done_when: [{ check: 'exit_code', equals: 0 }],
    },
  ],
  remediations: [
    { id: 'low', when: { match: 'Error' }, then: { prompt: 'generic: {{match}}' }, steps: ['verify'] },
    { id: 'oom', when: { match: 'out of memory' }, then: { prompt: 'quantise: {{match}}' }, steps: ['verify'], priority: 5 },
  ],
  checklist: [{ item: 'all good', verify: { check: 'file_exists', path: 'x' } }],
};

const types = (log: Event[]) => log.map((e) => e.type);
const last = (log: Event[]) => log[log.length - 1]!;

describe('engine', () => {
  it('walks the steps in order and passes the checklist', () => {
    const engine = new Engine(compile(fixAndVerify, { thing: 'a b' }));
    const { log } = simulate(engine, runStarted(), world({}));
    const sent = log.filter((e) => e.type === 'prompt_sent');
    expect(sent.map((e) => (e as { text: string }).text)).toEqual(['Fix a b.']);
    const started = log.find((e) => e.type === 'command_started') as { command: string };
    // Variables are shell-quoted inside commands.
    expect(started.command).toBe("test 'a b'");
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
    expect(types(log)).toContain('gate_judged');
  });

  it('picks the highest-priority matching remediation, quotes the match, and redoes the step', () => {
    const engine = new Engine(compile(fixAndVerify, { thing: 't' }));
    const { log } = simulate(
      engine,
      runStarted(),
      world({
        commandOutput: (_c, n) =>
          n === 1 ? { lines: ['RuntimeError: CUDA out of memory'], exitCode: 1, hits: ['low', 'oom'] } : { lines: ['ok'], exitCode: 0 },
      }),
    );
    const chosen = log.filter((e) => e.type === 'remediation_chosen');
    expect(chosen).toHaveLength(1);
    expect(chosen[0]).toMatchObject({ remediation: 'oom', step: 'verify', action: 'prompt' });
    const prompts = log.filter((e) => e.type === 'prompt_sent').map((e) => (e as { text: string }).text);
    expect(prompts[1]).toBe('quantise: RuntimeError: CUDA out of memory');
    expect(log.filter((e) => e.type === 'step_entered' && e.step === 'verify')).toHaveLength(2);
    expect(last(log)).toMatchObject({ verdict: 'passed' });
  });

  it('fails the run when no remediation applies and attempts run out', () => {
    const engine = new Engine(compile(fixAndVerify, { thing: 't' }));
    const { log } = simulate(engine, runStarted(), world({ commandOutput: () => ({ lines: ['nope'], exitCode: 2 }) }));
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'failed' });
    expect((last(log) as { reason: string }).reason).toContain("step 'verify' failed");
  });

  it('stops on the turn budget before proposing another prompt', () => {
    const doc = { ...fixAndVerify, budgets: { turns: 1 } };
    const engine = new Engine(compile(doc, { thing: 't' }));
    const { log } = simulate(
      engine,
      runStarted(),
      world({ commandOutput: () => ({ lines: ['CUDA out of memory'], exitCode: 1, hits: ['oom'] }) }),
    );
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'budget_exhausted' });
  });

  it('folding a log gives the state reached live, and resume reissues what was in flight', () => {
    const engine = new Engine(compile(fixAndVerify, { thing: 't' }));
    const { log, snapshot } = simulate(engine, runStarted(), world({}));
    expect(engine.fold(log).context).toEqual(snapshot.context);
    // Cut the log while the command was running: resume must run that command again.
    const cut = log.slice(0, log.findIndex((e) => e.type === 'command_started') + 1);
    const folded = engine.fold(cut);
    const resumed = engine.next(folded, { type: 'run_resumed', runId: 'r1', fromSeq: cut.length, seq: cut.length, ts: new Date().toISOString() });
    expect(resumed.effects).toEqual([expect.objectContaining({ kind: 'run_command', commandId: 'c1' })]);
  });

  it('judges a metric check that names a step on that step\'s figures, with variables in the predicate', () => {
    const doc = {
      name: 'm',
      steps: [{ id: 'measure', kind: 'run', command: 'eval', metrics: [{ name: 'rate', regex: 'rate (\\S+)' }] }],
      checklist: [{ item: 'rate of at least {{min}}', verify: { check: 'metric', step: 'measure', expr: 'rate >= {{min}}' } }],
    };
    const engine = new Engine(compile(doc, { min: '0.8' }));
    const checklists: Array<Effect & { kind: 'run_checks' }> = [];
    const base = world({ commandOutput: () => ({ lines: ['rate 0.9'], exitCode: 0, metrics: { rate: 0.9 } }) });
    simulate(engine, runStarted(), (effect, ctx) => {
      if (effect.kind === 'run_checks' && effect.scope === 'checklist') checklists.push(effect);
      return base(effect, ctx);
    });
    expect(checklists).toHaveLength(1);
    const [item] = checklists[0]!.checks;
    expect(item).toMatchObject({ name: 'rate of at least 0.8', check: { expr: 'rate >= 0.8' }, metrics: { rate: 0.9 } });
  });

  it('judges a prompt step again after a remediation answered the agent, instead of repeating its prompt', () => {
    const doc = {
      name: 'clarify',
      steps: [{ id: 'do', kind: 'prompt', prompt: 'Do it.', done_when: [{ check: 'file_exists', path: 'x' }] }],
      remediations: [{ id: 'which', when: { match: 'Which', in: ['agent_text'] }, then: { prompt: 'Use x.' }, steps: ['do'] }],
    };
    const engine = new Engine(compile(doc));
    let judged = 0;
    const base = world({ gate: () => judged++ > 0 });
    const { log } = simulate(engine, runStarted(), (effect, ctx) => {
      const events = base(effect, ctx);
      if (effect.kind !== 'send_prompt' || effect.text !== 'Do it.') return events;
      const hit: EventInput = { type: 'trigger_matched', remediation: 'which', step: 'do', source: 'agent_text', line: 'Which x?', groups: [] };
      return [...events.slice(0, -1), hit, events.at(-1)!];
    });
    const sent = log.filter((e): e is EventOf<'prompt_sent'> => e.type === 'prompt_sent').map((e) => e.text);
    expect(sent).toEqual(['Do it.', 'Use x.']);
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('counts a turn it did not ask for (the person\'s own prompt) against the budgets and moves nothing else', () => {
    const engine = new Engine(compile(fixAndVerify, { thing: 't' }));
    const base = world({});
    let aside = true;
    const { log, snapshot } = simulate(engine, runStarted(), (effect, ctx) => {
      const events = base(effect, ctx);
      if (effect.kind !== 'send_prompt' || !aside) return events;
      aside = false;
      const usage = { inputTokens: 50, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 };
      const own: EventInput[] = [
        { type: 'prompt_sent', promptId: 'u1', step: 'fix', text: 'Keep it small.' },
        { type: 'agent_turn_ended', turn: 1, promptId: 'u1', stopReason: 'end_turn', usage, costUsd: 0.5, filesChanged: false },
      ];
      return [...own, ...events];
    });
    expect(log.filter((e) => e.type === 'budget_spent').at(-1)).toMatchObject({ turns: 2, tokens: 165 });
    expect(snapshot.context.spent.dollars).toBeCloseTo(0.501);
    expect(log.filter((e) => e.type === 'step_done').map((e) => (e as EventOf<'step_done'>).step)).toEqual(['fix', 'verify']);
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'passed' });
  });

  it('counts failures as the same error by their error line, however the output interleaves', () => {
    const doc = {
      ...fixAndVerify,
      budgets: { turns: 20 },
      steps: [fixAndVerify.steps[0], { ...fixAndVerify.steps[1], max_attempts: 5 }],
      remediations: [
        { id: 'oom', when: { match: 'out of memory' }, then: { prompt: 'quantise' }, steps: ['verify'], max_attempts: 2 },
        { id: 'stuck', when: { exit_code: 'nonzero', repeated: 3 }, then: { abort: 'stuck' }, steps: ['verify'], priority: 9 },
      ],
    };
    const engine = new Engine(compile(doc, { thing: 't' }));
    // The same crash with other sizes, Modal's stop line before or after the traceback.
    const stop = "Stopping app - uncaught exception raised in remote container: OutOfMemoryError('CUDA out of memory')";
    const traceback = (mib: number) => ['Traceback (most recent call last):', `  File "/root/eval.py", line ${mib % 97}, in <module>`, `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ${mib}.00 MiB`];
    const lines = [[...traceback(324), stop], [stop, ...traceback(1200)]];
    const { log } = simulate(engine, runStarted(), world({ commandOutput: (_c, n) => ({ lines: lines[n % 2]!, exitCode: 1, hits: ['oom'] }) }));
    expect(log.filter((e) => e.type === 'remediation_chosen').map((e) => (e as EventOf<'remediation_chosen'>).remediation)).toEqual(['oom', 'oom', 'stuck']);
    expect(last(log)).toMatchObject({ type: 'run_ended', verdict: 'aborted' });
  });
});

describe('a person taking over after an escalation', () => {
  it('gets the stage retried on an attempt of their own, though the agent spent the step’s attempts', () => {
    const pb = compile({
      name: 'takeover',
      steps: [{ id: 'eval', kind: 'run', command: 'python eval.py', max_attempts: 1, done_when: [{ check: 'exit_code', equals: 0 }] }],
      remediations: [{ id: 'needs-a-person', when: { exit_code: 'nonzero' }, then: { escalate: 'eval failed: {{error}}' } }],
    });
    const { log } = simulate(new Engine(pb), runStarted(), world({ commandOutput: (_c, n) => ({ lines: [], exitCode: n === 1 ? 1 : 0 }) }));
    const of = <T extends Event['type']>(t: T) => log.filter((e): e is EventOf<T> => e.type === t);
    expect(of('remediation_chosen').map((e) => [e.remediation, e.action])).toEqual([['needs-a-person', 'escalate']]);
    expect(of('step_entered').map((e) => e.attempt)).toEqual([1, 2]);
    expect(of('run_ended').map((e) => e.verdict)).toEqual(['passed']);
  });
});
