import type { Effect } from './effects.js';
import type { CompiledPlaybook, EngineContext } from './context.js';
import * as logic from './logic.js';
import type { EventOf } from '../events/schema.js';

/** What each answer the engine waits on does to the run: the machine's transitions call these. */

export function recordGate(ctx: EngineContext, e: EventOf<'gate_judged'>): EngineContext {
  const results = [...ctx.gates.results, { check: e.check, passed: e.passed, detail: e.detail }];
  return { ...ctx, gates: { ...ctx.gates, results } };
}

export const onGatesDone = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'gate_judged'>) => {
  const next = recordGate(ctx, e);
  return e.scope === 'checklist' ? logic.judgeChecklist(next) : logic.judgeStep(pb, next);
};

export const onDecision = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'decision'>) => {
  const pending = ctx.pending as Effect & { kind: 'decide' };
  const q = pending.question;
  if (e.verdict === 'abort') return logic.endRun(ctx, 'aborted', `aborted by ${e.by}${e.reason ? `: ${e.reason}` : ''}`);
  // A person who took over and approves goes on: the stage is retried as it is now, on an
  // attempt of the person's, not one of the agent's that may be spent.
  const tookOver = e.verdict === 'approve' && q.kind === 'ask' && q.escalate;
  if (e.verdict === 'skip' || tookOver) {
    const next = tookOver ? { ...ctx, granted: { ...ctx.granted, [q.step]: (ctx.granted[q.step] ?? 0) + 1 } } : ctx;
    return next.activity?.origin === 'step' ? logic.afterAction(pb, next) : logic.retryAfterRemediation(pb, next);
  }
  const text = e.text ?? q.text;
  const promptId = q.kind === 'prompt' ? q.promptId : q.ref;
  const effect: Effect = { kind: 'send_prompt', promptId, step: q.step, text };
  return { ctx: { ...ctx, pending: effect }, effects: [effect] };
};

export function spend(ctx: EngineContext, e: EventOf<'agent_turn_ended'>): EngineContext['spent'] {
  const tokens = e.usage.inputTokens + e.usage.outputTokens + e.usage.cacheReadTokens + e.usage.cacheWriteTokens;
  return { turns: ctx.spent.turns + 1, tokens: ctx.spent.tokens + tokens, dollars: ctx.spent.dollars + e.costUsd };
}

export const onTurnEnded = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'agent_turn_ended'>) => {
  const spent = spend(ctx, e);
  const next = { ...ctx, spent };
  const budget: Effect = {
    kind: 'emit',
    event: { type: 'budget_spent', ...spent, wallMs: next.now - next.startedAt },
  };
  const r = ctx.activity?.origin === 'step' ? logic.afterAction(pb, next) : logic.retryAfterRemediation(pb, next);
  return { ctx: r.ctx, effects: [budget, ...r.effects] };
};

export const onCommandExited = (pb: CompiledPlaybook) => (ctx: EngineContext, e: EventOf<'command_exited'>) => {
  if (ctx.pending?.kind === 'run_commands') return onItemExited(pb, ctx, ctx.pending, e);
  const next: EngineContext = {
    ...ctx,
    lastCommand: { commandId: e.commandId, exitCode: e.exitCode, tail: e.tail, ...(ctx.pending?.kind === 'run_command' && { command: ctx.pending.command }) },
    metrics: ctx.activity?.origin === 'step' ? { ...ctx.metrics, [e.step]: e.metrics } : ctx.metrics,
    trees: e.tree !== undefined ? { ...ctx.trees, [e.step]: e.tree } : ctx.trees,
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
  const trees = e.tree !== undefined ? { ...ctx.trees, [e.step]: e.tree } : ctx.trees;
  if (runs.length > 0) return { ctx: { ...ctx, fanout, trees, pending: { ...pending, runs } }, effects: [] };
  return logic.afterAction(pb, { ...ctx, fanout, trees });
}
