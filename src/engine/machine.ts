import { setup, initialTransition, transition } from 'xstate';
import type { Effect } from './effects.js';
import { type CompiledPlaybook, type EngineContext, initialContext } from './context.js';
import * as logic from './logic.js';
import type { Event, EventOf } from '../events/schema.js';

/**
 * The playbook compiled to an XState v5 machine. Its states are what the run waits on
 * (a decision, the agent's turn, a command, the checks); `dispatch` routes to the right one
 * from the effect the logic just issued. The machine consumes log events directly, so
 * resuming a run is folding its log, and replay is feeding recorded events.
 */

/** Only these events move the engine; the rest (output lines, agent text) are skipped cheaply. */
export const ENGINE_EVENTS = new Set<Event['type']>([
  'run_started',
  'run_resumed',
  'decision',
  'agent_turn_ended',
  'command_exited',
  'trigger_matched',
  'gate_judged',
]);

type Result = logic.Result;

export function createEngineMachine(pb: CompiledPlaybook) {
  const waitsFor = (kind: Effect['kind']) => ({ context }: { context: EngineContext }) => context.pending?.kind === kind;
  const answers = (ctx: EngineContext, ref: string | undefined, kind: Effect['kind']) => {
    const p = ctx.pending;
    if (!p || p.kind !== kind) return false;
    if (p.kind === 'decide') return (p.question.kind === 'prompt' ? p.question.promptId : p.question.ref) === ref;
    if (p.kind === 'send_prompt') return p.promptId === ref;
    if (p.kind === 'run_command') return p.commandId === ref;
    if (p.kind === 'run_commands') return p.runs.some((r) => r.commandId === ref);
    return true;
  };

  const machine = setup({
    types: { context: {} as EngineContext, events: {} as Event },
    actions: {
      // Effects are data for the runner; executing them here would make the transition impure.
      effect: (_: unknown, _params: Effect) => undefined,
    },
    guards: {
      ended: ({ context }) => context.verdict !== null,
      deciding: waitsFor('decide'),
      prompting: waitsFor('send_prompt'),
      running: ({ context }) => context.pending?.kind === 'run_command' || context.pending?.kind === 'run_commands',
      checking: waitsFor('run_checks'),
      answersDecision: ({ context, event }) => answers(context, (event as EventOf<'decision'>).ref, 'decide'),
      answersTurn: ({ context, event }) => answers(context, (event as EventOf<'agent_turn_ended'>).promptId, 'send_prompt'),
      answersCommand: ({ context, event }) =>
        answers(context, (event as EventOf<'command_exited'>).commandId, context.pending?.kind === 'run_commands' ? 'run_commands' : 'run_command'),
      lastGate: ({ context }) => context.gates.results.length + 1 >= context.gates.expected,
    },
  });

  /** Wraps a logic function into an action that assigns its context and enqueues its effects. */
  const apply = <E extends Event>(fn: (ctx: EngineContext, event: E) => Result) =>
    machine.enqueueActions(({ context, event, enqueue }) => {
      const now = Date.parse((event as Event).ts);
      const ctx = Number.isNaN(now) ? context : { ...context, now };
      const r = fn(ctx, event as E);
      enqueue.assign(() => r.ctx);
      for (const effect of r.effects) enqueue({ type: 'effect', params: effect });
    });

  return machine.createMachine({
    id: pb.playbook.name,
    context: initialContext(),
    initial: 'idle',
    on: {
      trigger_matched: {
        actions: machine.enqueueActions(({ context, event, enqueue }) => {
          const e = event as EventOf<'trigger_matched'>;
          const hit = { remediation: e.remediation, source: e.source, line: e.line, groups: e.groups, ...(e.item !== undefined && { item: e.item }) };
          enqueue.assign({ hits: [...context.hits, hit] });
        }),
      },
      // A turn the engine did not ask for (the person's own prompt): it moves nothing, but it
      // is paid for, so it counts against the budgets.
      agent_turn_ended: {
        actions: machine.enqueueActions(({ context, event, enqueue }) => {
          const spent = spend(context, event as EventOf<'agent_turn_ended'>);
          enqueue.assign({ spent });
          enqueue({ type: 'effect', params: { kind: 'emit', event: { type: 'budget_spent', ...spent, wallMs: context.now - context.startedAt } } });
        }),
      },
      // A killed run resumes by folding its log, then asking again for what it was waiting on.
      run_resumed: {
        actions: machine.enqueueActions(({ context, enqueue }) => {
          if (!context.pending) return;
          // Checks are redone whole: drop the verdicts of the interrupted round.
          if (context.pending.kind === 'run_checks') enqueue.assign({ gates: { ...context.gates, results: [] } });
          enqueue({ type: 'effect', params: context.pending });
        }),
      },
    },
    states: {
      idle: {
        on: {
          run_started: {
            target: 'dispatch',
            actions: apply<EventOf<'run_started'>>((ctx, e) => {
              const start = Date.parse(e.ts);
              const base = { ...ctx, runId: e.runId, workspace: e.workspace, branch: e.branch, startedAt: start, now: start };
              return logic.enterStep(pb, base, 0);
            }),
          },
        },
      },
      dispatch: {
        always: [
          { guard: 'ended', target: 'ended' },
          { guard: 'deciding', target: 'deciding' },
          { guard: 'prompting', target: 'agent' },
          { guard: 'running', target: 'running' },
          { guard: 'checking', target: 'checking' },
        ],
      },
      deciding: {
        on: {
          decision: { guard: 'answersDecision', target: 'dispatch', actions: apply(onDecision(pb)) },
        },
      },
      agent: {
        on: {
          agent_turn_ended: { guard: 'answersTurn', target: 'dispatch', actions: apply(onTurnEnded(pb)) },
        },
      },
      running: {
        on: {
          command_exited: { guard: 'answersCommand', target: 'dispatch', actions: apply(onCommandExited(pb)) },
        },
      },
      checking: {
        on: {
          gate_judged: [
            { guard: 'lastGate', target: 'dispatch', actions: apply(onGatesDone(pb)) },
            { actions: apply<EventOf<'gate_judged'>>((ctx, e) => ({ ctx: recordGate(ctx, e), effects: [] })) },
          ],
        },
      },
      ended: { type: 'final' },
    },
  });
}

function recordGate(ctx: EngineContext, e: EventOf<'gate_judged'>): EngineContext {
  const results = [...ctx.gates.results, { check: e.check, passed: e.passed, detail: e.detail }];
  return { ...ctx, gates: { ...ctx.gates, results } };
}

const onGatesDone = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'gate_judged'>) => {
  const next = recordGate(ctx, e);
  return e.scope === 'checklist' ? logic.judgeChecklist(next) : logic.judgeStep(pb, next);
};

const onDecision = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'decision'>) => {
  const pending = ctx.pending as Effect & { kind: 'decide' };
  const q = pending.question;
  if (e.verdict === 'abort') return logic.endRun(ctx, 'aborted', `aborted by ${e.by}${e.reason ? `: ${e.reason}` : ''}`);
  // A person who took over and approves goes on: the stage is retried as it is now.
  if (e.verdict === 'skip' || (e.verdict === 'approve' && q.kind === 'ask' && q.escalate)) {
    return ctx.activity?.origin === 'step' ? logic.afterAction(pb, ctx) : logic.retryAfterRemediation(pb, ctx);
  }
  const text = e.text ?? q.text;
  const promptId = q.kind === 'prompt' ? q.promptId : q.ref;
  const effect: Effect = { kind: 'send_prompt', promptId, step: q.step, text };
  return { ctx: { ...ctx, pending: effect }, effects: [effect] };
};

function spend(ctx: EngineContext, e: EventOf<'agent_turn_ended'>): EngineContext['spent'] {
  const tokens = e.usage.inputTokens + e.usage.outputTokens + e.usage.cacheReadTokens + e.usage.cacheWriteTokens;
  return { turns: ctx.spent.turns + 1, tokens: ctx.spent.tokens + tokens, dollars: ctx.spent.dollars + e.costUsd };
}

const onTurnEnded = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'agent_turn_ended'>) => {
  const spent = spend(ctx, e);
  const next = { ...ctx, spent };
  const budget: Effect = {
    kind: 'emit',
    event: { type: 'budget_spent', ...spent, wallMs: next.now - next.startedAt },
  };
  const r = ctx.activity?.origin === 'step' ? logic.afterAction(pb, next) : logic.retryAfterRemediation(pb, next);
  return { ctx: r.ctx, effects: [budget, ...r.effects] };
};

const onCommandExited = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'command_exited'>) => {
  if (ctx.pending?.kind === 'run_commands') return onItemExited(pb, ctx, ctx.pending, e);
  const next: EngineContext = {
    ...ctx,
    lastCommand: { commandId: e.commandId, exitCode: e.exitCode, tail: e.tail, ...(ctx.pending?.kind === 'run_command' && { command: ctx.pending.command }) },
    metrics: ctx.activity?.origin === 'step' ? { ...ctx.metrics, [e.step]: e.metrics } : ctx.metrics,
  };
  return ctx.activity?.origin === 'step' ? logic.afterAction(pb, next) : logic.retryAfterRemediation(pb, next);
};

/** One run of a fanned-out step is in; the gates wait for the last. */
function onItemExited(pb: CompiledPlaybook, ctx: EngineContext, pending: Effect & { kind: 'run_commands' }, e: EventOf<'command_exited'>) {
  const run = pending.runs.find((r) => r.commandId === e.commandId)!;
  const item = { commandId: e.commandId, command: run.command, exitCode: e.exitCode, tail: e.tail, metrics: e.metrics };
  const fanout = { ...ctx.fanout, [e.step]: { ...ctx.fanout[e.step], [run.item!]: item } };
  const runs = pending.runs.filter((r) => r !== run);
  // What is still running stays pending, so a resumed run starts only those again.
  if (runs.length > 0) return { ctx: { ...ctx, fanout, pending: { ...pending, runs } }, effects: [] };
  return logic.afterAction(pb, { ...ctx, fanout });
}

export type EngineMachine = ReturnType<typeof createEngineMachine>;

export { initialTransition, transition };
