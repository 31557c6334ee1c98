import type { Effect, RunCommandEffect } from './effects.js';
import type { EngineContext } from './context.js';
import type { Step } from '../playbook/schema.js';
import { renderExpr } from './expr-bind.js';
import { timerMs } from '../playbook/duration.js';

export interface Result {
  ctx: EngineContext;
  effects: Effect[];
}

export const emit = (event: Effect & { kind: 'emit' }): Effect => event;

/** Sets what the engine now waits on: the last effect that expects an answer. */
export function done(ctx: EngineContext, effects: Effect[]): Result {
  const waiting = [...effects].reverse().find((e) => e.kind !== 'emit') ?? null;
  return { ctx: { ...ctx, pending: waiting }, effects };
}

export function commandEffect(
  commandId: string,
  step: string,
  command: string,
  spec: Partial<Step & { kind: 'run' }>,
  vars: Record<string, string>,
): RunCommandEffect {
  return {
    kind: 'run_command',
    commandId,
    step,
    command,
    cwd: spec.cwd ?? '.',
    timeoutMs: spec.timeout === undefined ? undefined : timerMs(spec.timeout),
    metrics: spec.metrics ?? [],
    // Thresholds in predicates may be playbook variables: `success_rate < {{min_success}}`.
    derive: Object.fromEntries(Object.entries(spec.derive ?? {}).map(([k, v]) => [k, renderExpr(v, vars)])),
    stopWhen: spec.stop_when === undefined ? undefined : renderExpr(spec.stop_when, vars),
  };
}

