import type { CompiledPlaybook, EngineContext, TriggerHit } from './context.js';
import { metricScope, rulesFor } from './context.js';
import { evalExpr, parseExpr } from './expr.js';
import { renderExpr } from './expr-bind.js';
import type { Remediation } from '../playbook/schema.js';

export interface Choice {
  rule: Remediation;
  why: string;
  hit?: TriggerHit;
}

/**
 * Picks the remediation for a failed attempt: among the rules that apply to the step and have
 * attempts left, those whose every condition holds; the highest priority wins, then file order.
 */
export function chooseRemediation(pb: CompiledPlaybook, ctx: EngineContext, step: string): Choice | undefined {
  const ranked = rulesFor(pb, step)
    .map((rule, order) => ({ rule, order }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.order - b.order);
  for (const { rule } of ranked) {
    if ((ctx.ruleAttempts[`${rule.id}@${step}`] ?? 0) >= rule.max_attempts) continue;
    const why = conditionsHold(rule, ctx, step, pb.vars);
    if (why) return { rule, why: why.text, hit: why.hit };
  }
  return undefined;
}

function conditionsHold(
  rule: Remediation,
  ctx: EngineContext,
  step: string,
  vars: Record<string, string>,
): { text: string; hit?: TriggerHit } | undefined {
  const { when } = rule;
  const reasons: string[] = [];
  let hit: TriggerHit | undefined;
  if (when.match !== undefined) {
    hit = ctx.hits.find((h) => h.remediation === rule.id);
    if (!hit) return undefined;
    reasons.push(`${hit.source.replace('_', ' ')} matched /${when.match}/: ${hit.line.trim()}`);
  }
  if (when.exit_code !== undefined) {
    const code = ctx.lastCommand?.exitCode;
    if (code === undefined) return undefined;
    const ok = when.exit_code === 'nonzero' ? code !== 0 : code === when.exit_code;
    if (!ok) return undefined;
    reasons.push(`exit code ${code}`);
  }
  if (when.metric !== undefined) {
    const expr = renderExpr(when.metric, vars);
    const r = evalExpr(parseExpr(expr), metricScope(ctx, step));
    if (!r.ok || r.value !== true) return undefined;
    reasons.push(`metric ${expr}`);
  }
  if (when.repeated !== undefined) {
    const seen = ctx.failures[step] ?? [];
    const lastN = seen.slice(-when.repeated);
    if (lastN.length < when.repeated || new Set(lastN).size !== 1) return undefined;
    reasons.push(`the same error ${when.repeated} times in a row`);
  }
  return { text: `${rule.id} (priority ${rule.priority}): ${reasons.join('; ')}`, hit };
}

/** Variables a remediation's template may quote. */
export function remediationVars(ctx: EngineContext, rule: string, hit: TriggerHit | undefined): Record<string, string> {
  const vars: Record<string, string> = {
    remediation: rule,
    match: hit?.line ?? '',
    excerpt: (ctx.lastCommand?.tail ?? []).join('\n'),
    exit_code: ctx.lastCommand?.exitCode == null ? '' : String(ctx.lastCommand.exitCode),
  };
  for (let i = 1; i <= 9; i++) vars[`match.${i}`] = hit?.groups[i - 1] ?? '';
  return vars;
}
