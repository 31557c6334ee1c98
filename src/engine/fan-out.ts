import { type EngineContext, type ItemRun, metricScope } from './context.js';
import { type Result, commandEffect, done } from './effect-builders.js';
import type { Check, Step } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';

/** The values a step with `for_each` runs for, in list order; none when the list is empty. */
export function itemsOf(step: Step, vars: Record<string, string>): string[] {
  if (step.kind !== 'run' || !step.for_each) return [];
  return [...new Set(renderTemplate(step.for_each.in, vars).split(/[\s,]+/).filter((v) => v !== ''))];
}

/**
 * One command per value, run at once. A retry reruns only the values whose gates failed: a
 * suite that passed its 50 trials is not paid for again because another one crashed.
 */
export function fanOut(ctx: EngineContext, step: Step & { kind: 'run' }, items: string[], vars: Record<string, string>): Result {
  const name = step.for_each!.var;
  const earlier = ctx.fanout[step.id] ?? {};
  const failed = items.filter((item) => earlier[item]?.passed !== true);
  const todo = failed.length > 0 ? failed : items;
  const runs = todo.map((item, i) => {
    const bound = { ...vars, [name]: item };
    const command = renderTemplate(step.command, bound, { shell: true, where: `${step.id} [${item}]` });
    return { ...commandEffect(`c${ctx.seq.command + i + 1}`, step.id, command, step, bound), item, bind: { [name]: item } };
  });
  const kept = Object.fromEntries(Object.entries(earlier).filter(([item]) => !todo.includes(item)));
  const next = { ...ctx, seq: { ...ctx.seq, command: ctx.seq.command + runs.length }, fanout: { ...ctx.fanout, [step.id]: kept } };
  return done(next, [{ kind: 'run_commands', step: step.id, runs }]);
}

/** A check with the name its gate is logged under and, per value, what it is judged on. */
export interface NamedCheck {
  name: string;
  check: Check;
  metrics?: Record<string, number>;
  commandId?: string;
  exitCode?: number | null;
  item?: string;
}

/** A fanned-out step's runs, in the order they were started (the list's order). */
export function runsOf(ctx: EngineContext, step: string): Array<[string, ItemRun]> {
  const seq = (run: ItemRun) => Number(run.commandId.slice(1));
  return Object.entries(ctx.fanout[step] ?? {}).sort(([, a], [, b]) => seq(a) - seq(b));
}

/** The values of a fanned-out step whose runs are in and not judged yet. */
export function judgedItems(ctx: EngineContext, step: string): Array<[string, ItemRun]> {
  return runsOf(ctx, step).filter(([, run]) => run.passed === undefined);
}

/** Every gate of a fanned-out step, once per value, on that value's figures, command and exit code. */
export function checksPerItem(
  ctx: EngineContext,
  step: Step & { kind: 'run' },
  vars: Record<string, string>,
  label: (vars: Record<string, string>) => NamedCheck[],
): NamedCheck[] {
  return judgedItems(ctx, step.id).flatMap(([item, run]) =>
    label({ ...vars, [step.for_each!.var]: item }).map((c) => ({
      ...c,
      name: `${c.name} [${item}]`,
      metrics: { ...metricScope(ctx, step.id), ...run.metrics },
      commandId: run.commandId,
      exitCode: run.exitCode,
      item,
    })),
  );
}

/**
 * A metric check that names a step (`step: full`) is judged on that step's figures; when the
 * step fanned out, it must hold for every value, each on its own figures.
 */
export function perValue(ctx: EngineContext, named: NamedCheck): NamedCheck[] {
  const { check } = named;
  if (check.check !== 'metric' || check.step === undefined) return [named];
  const runs = runsOf(ctx, check.step);
  if (runs.length === 0) return [{ ...named, metrics: metricScope(ctx, check.step) }];
  return runs.map(([item, run]) => ({ ...named, name: `${named.name} [${item}]`, metrics: { ...metricScope(ctx, check.step!), ...run.metrics } }));
}

/**
 * Records which values passed their gates. The first that failed becomes the focus: the
 * remediation is chosen on its output, exit code and figures, and its prompt names it.
 */
export function settleItems(ctx: EngineContext, step: string): EngineContext {
  const items = ctx.gates.items ?? [];
  const fan = { ...ctx.fanout[step] };
  const passed = (item: string) => ctx.gates.results.every((g, i) => items[i] !== item || g.passed);
  const values = [...new Set(items)];
  for (const item of values) fan[item] = { ...fan[item]!, passed: passed(item) };
  const focus = values.find((item) => !fan[item]!.passed) ?? null;
  const shown = fan[focus ?? values[0]!]!;
  return {
    ...ctx,
    fanout: { ...ctx.fanout, [step]: fan },
    focus,
    metrics: { ...ctx.metrics, [step]: shown.metrics },
    lastCommand: { commandId: shown.commandId, exitCode: shown.exitCode, tail: shown.tail, command: shown.command },
    hits: focus === null ? ctx.hits : ctx.hits.filter((h) => h.item === undefined || h.item === focus),
  };
}
