import type { CompiledPlaybook, EngineContext } from './context.js';
import { parseDuration } from '../playbook/duration.js';

/** The first budget the run has used up, described; undefined while all are within limits. */
export function budgetExceeded(pb: CompiledPlaybook, ctx: EngineContext): string | undefined {
  const b = pb.playbook.budgets;
  if (!b) return undefined;
  if (b.turns !== undefined && ctx.spent.turns >= b.turns) return `turn budget spent (${ctx.spent.turns} of ${b.turns})`;
  if (b.tokens !== undefined && ctx.spent.tokens >= b.tokens) return `token budget spent (${ctx.spent.tokens} of ${b.tokens})`;
  if (b.dollars !== undefined && ctx.spent.dollars >= b.dollars) {
    return `dollar budget spent ($${ctx.spent.dollars.toFixed(2)} of $${b.dollars})`;
  }
  if (b.wall_time !== undefined) {
    const limit = parseDuration(b.wall_time);
    const used = ctx.now - ctx.startedAt;
    if (used >= limit) return `wall-time budget spent (${Math.round(used / 1000)} s of ${Math.round(limit / 1000)} s)`;
  }
  return undefined;
}
