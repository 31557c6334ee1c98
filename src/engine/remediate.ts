import type { CompiledPlaybook, EngineContext, TriggerHit } from './context.js';
import { metricScope, rulesFor } from './context.js';
import { evalExpr, parseExpr } from './expr.js';
import { renderExpr } from './expr-bind.js';
import { errorLine } from './error-line.js';
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
  const last = (r: Remediation) => (r.when.otherwise ? 1 : 0);
  const ranked = rulesFor(pb, step)
    .map((rule, order) => ({ rule, order }))
    .sort((a, b) => last(a.rule) - last(b.rule) || b.rule.priority - a.rule.priority || a.order - b.order);
  const isRun = pb.playbook.steps.find((s) => s.id === step)?.kind === 'run';
  for (const { rule } of ranked) {
    if ((ctx.ruleAttempts[`${rule.id}@${step}`] ?? 0) >= rule.max_attempts) continue;
    if (rule.when.otherwise && !(isRun && failed(ctx))) continue;
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
  if (when.gate !== undefined) {
    const re = new RegExp(when.gate);
    const gate = ctx.gates.results.find((g) => !g.passed && re.test(g.check));
    if (!gate) return undefined;
    reasons.push(`gate failed: ${gate.check}`);
  }
  if (when.repeated !== undefined) {
    const seen = ctx.failures[step] ?? [];
    const lastN = seen.slice(-when.repeated);
    if (lastN.length < when.repeated || new Set(lastN).size !== 1) return undefined;
    reasons.push(`the same error ${when.repeated} times in a row`);
  }
  if (when.otherwise) reasons.push('a failure no other rule claims');
  return { text: `${rule.id} (priority ${rule.priority}): ${reasons.join('; ')}`, hit };
}

/** The attempt failed: its command exited non-zero or one of its gates failed. */
function failed(ctx: EngineContext): boolean {
  const code = ctx.lastCommand?.exitCode;
  return (code !== undefined && code !== 0) || ctx.gates.results.some((g) => !g.passed);
}

/** Variables a remediation's template may quote. */
export function remediationVars(ctx: EngineContext, rule: string, hit: TriggerHit | undefined): Record<string, string> {
  const vars: Record<string, string> = {
    remediation: rule,
    match: hit?.line ?? '',
    excerpt: (ctx.lastCommand?.tail ?? []).join('\n'),
    // The root-cause line of the excerpt, and what was run: the debugging loop's prompt quotes both.
    error: errorLine(ctx.lastCommand?.tail ?? []) ?? hit?.line ?? '',
    command: ctx.lastCommand?.command ?? '',
    failed_checks: ctx.gates.results.filter((g) => !g.passed).map((g) => `${g.check} (${g.detail})`).join('; ') || 'none',
    exit_code: ctx.lastCommand?.exitCode == null ? '' : String(ctx.lastCommand.exitCode),
  };
  for (let i = 1; i <= 9; i++) vars[`match.${i}`] = hit?.groups[i - 1] ?? '';
  return vars;
}
