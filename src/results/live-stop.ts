import type { EarlyStop } from '../playbook/schema.js';
import { renderExpr } from '../engine/expr-bind.js';
import { evalExpr, parseExpr } from '../engine/expr.js';
import { InputError } from '../errors.js';
import { DEFAULT_ALPHA, DEFAULT_MARGIN, sequentialTest, type StopVerdict } from './early-stop.js';

/**
 * Judges a run step's live metrics against its `early_stop` key; undefined while the gate can
 * still be met. `updated` names the figures each output line changed: an episode's counters
 * arrive on separate lines, so a judgement waits until the episode count and its outcome (a
 * success count or a crash) have both arrived, and never reads a success count one line late.
 */
export type StageStopper = (metrics: Record<string, number>, updated?: string[]) => StopVerdict | undefined;

/** `early_stop` with its variables rendered: `target: "{{min_success}}"` becomes 0.8. */
export function stageStopper(spec: EarlyStop, vars: Record<string, string>): StageStopper {
  const target = figure(spec.target, vars, 'target', RATE);
  const total = spec.total === undefined ? undefined : figure(spec.total, vars, 'total', COUNT);
  const taskEpisodes = spec.task_episodes === undefined ? undefined : figure(spec.task_episodes, vars, 'task_episodes', COUNT);
  const judge = sequentialTest({ target, total, taskEpisodes, spread: spec.spread, alpha: spec.alpha ?? DEFAULT_ALPHA, margin: spec.margin ?? DEFAULT_MARGIN }).start();
  const pending = new Set<string>();
  return (m, updated) => {
    if (updated) {
      for (const name of updated) pending.add(name);
      const outcome = pending.has(spec.successes) || (spec.errors !== undefined && pending.has(spec.errors));
      if (!pending.has(spec.episodes) || !outcome) return undefined;
      pending.clear();
    }
    const episodes = m[spec.episodes];
    const successes = m[spec.successes];
    const errors = spec.errors === undefined ? undefined : m[spec.errors];
    if (episodes === undefined) return undefined;
    // Before the first success line is printed, successes are none so far.
    return judge({ episodes, successes: successes ?? 0, errors });
  };
}

/** What a figure written with variables must be once rendered; the schema checks written numbers. */
const RATE = { ok: (x: number) => x > 0 && x < 1, what: 'a rate in (0, 1)' };
const COUNT = { ok: (x: number) => Number.isInteger(x) && x > 0, what: 'a positive whole number' };

function figure(value: number | string, vars: Record<string, string>, key: string, must: typeof RATE): number {
  if (typeof value === 'number') return value;
  const r = evalExpr(parseExpr(renderExpr(value, vars)), {});
  if (!r.ok || typeof r.value !== 'number' || !Number.isFinite(r.value)) {
    throw new InputError(`early_stop.${key}: '${value}' is not a number`);
  }
  if (!must.ok(r.value)) throw new InputError(`early_stop.${key}: '${value}' is ${r.value}, not ${must.what}`);
  return r.value;
}
