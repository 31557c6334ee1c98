import type { Effect } from './effects.js';
import { type Result, commandEffect, done, emit } from './effect-builders.js';
import { type NamedCheck, checksPerItem, fanOut, itemsOf, judgedItems, perValue, settleItems } from './fan-out.js';
import {
  type CompiledPlaybook,
  type EngineContext,
  type GateResult,
  currentStep,
  maxAttempts,
  metricScope,
  stepIndexOf,
} from './context.js';
import { budgetExceeded } from './budgets.js';
import { chooseRemediation } from './remediate.js';
import { applyRemediation } from './remediation-action.js';
import { failureSignature } from './signature.js';
import { renderTemplate } from '../playbook/template.js';
import { renderExpr } from './expr-bind.js';
import type { Check, Step } from '../playbook/schema.js';
import type { Verdict } from '../events/schema.js';

/**
 * The engine's decisions as pure functions `(playbook, context, ...) -> { ctx, effects }`.
 * The XState machine (machine.ts) routes events here and turns the result into its next state;
 * keeping the arithmetic out of the machine config keeps both readable.
 */
export type { Result };

export function templateVars(pb: CompiledPlaybook, ctx: EngineContext, step: Step): Record<string, string> {
  const vars: Record<string, string> = {
    ...pb.vars,
    workspace: ctx.workspace,
    run_id: ctx.runId,
    branch: ctx.branch,
    step: step.id,
    attempt: String(ctx.attempts[step.id] ?? 1),
  };
  // A declared figure the output never printed still renders, so a prompt can say so.
  if (step.kind === 'run') {
    for (const name of [...(step.metrics ?? []).map((m) => m.name), ...Object.keys(step.derive ?? {})]) vars[`metrics.${name}`] = 'not measured';
  }
  // Every run step's declared figures render too (a report prompt quotes them), measured or not.
  for (const s of pb.playbook.steps) if (s.kind === 'run') for (const m of s.metrics ?? []) vars[`metrics.${s.id}.${m.name}`] ??= 'not measured';
  for (const [k, v] of Object.entries(metricScope(ctx, step.id))) vars[`metrics.${k}`] = String(v);
  // A remediation for one value of a fanned-out step speaks of that value: `{{suite}}`.
  if (ctx.focus !== null && step.kind === 'run' && step.for_each) vars[step.for_each.var] = ctx.focus;
  return vars;
}

export function promptText(pb: CompiledPlaybook, ref: string): string {
  return ref.endsWith('.md') ? (pb.prompts[ref] ?? '') : ref;
}

export function endRun(ctx: EngineContext, verdict: Verdict, reason: string): Result {
  const effects: Effect[] = [emit({ kind: 'emit', event: { type: 'run_ended', verdict, reason } })];
  return { ctx: { ...ctx, verdict: { verdict, reason }, pending: null, activity: null }, effects };
}

export function enterStep(pb: CompiledPlaybook, ctx: EngineContext, index: number, feedback: string[] = []): Result {
  if (index >= pb.playbook.steps.length) return startChecklist(pb, ctx);
  const step = pb.playbook.steps[index]!;
  const attempt = (ctx.attempts[step.id] ?? 0) + 1;
  if (attempt > maxAttempts(pb, step, ctx)) {
    return failStep(pb, { ...ctx, stepIndex: index }, step, `no attempts left after ${attempt - 1}`);
  }
  const over = budgetExceeded(pb, ctx);
  if (over) return endRun(ctx, 'budget_exhausted', over);
  const next: EngineContext = {
    ...ctx,
    stepIndex: index,
    attempts: { ...ctx.attempts, [step.id]: attempt },
    hits: [],
    lastCommand: null,
    gates: { expected: 0, results: [] },
    focus: null,
    activity: { origin: 'step' },
  };
  const entered = emit({ kind: 'emit', event: { type: 'step_entered', step: step.id, attempt } });
  const vars = templateVars(pb, next, step);
  if (step.kind === 'prompt') {
    let text = renderTemplate(promptText(pb, step.prompt), vars, { where: step.prompt });
    if (feedback.length) text += `\n\nlabpilot checked the result and it is not done yet:\n${feedback.map((f) => `- ${f}`).join('\n')}`;
    const r = propose(next, step.id, text, { origin: 'step' });
    return { ctx: r.ctx, effects: [entered, ...r.effects] };
  }
  if (step.kind === 'run') {
    const items = itemsOf(step, vars);
    const r =
      items.length > 0
        ? fanOut(next, step, items, vars)
        : runCommand(next, step.id, renderTemplate(step.command, vars, { shell: true, where: step.id }), step, vars);
    return { ctx: r.ctx, effects: [entered, ...r.effects] };
  }
  const r = runChecks(pb, next, 'step', step, step.checks);
  return { ctx: r.ctx, effects: [entered, ...r.effects] };
}

export function propose(
  ctx: EngineContext,
  step: string,
  text: string,
  activity: EngineContext['activity'] & object,
  reason?: string,
): Result {
  const promptId = `p${ctx.seq.prompt + 1}`;
  const next = { ...ctx, seq: { ...ctx.seq, prompt: ctx.seq.prompt + 1 }, activity };
  const { origin, remediation } = activity;
  return done(next, [
    emit({ kind: 'emit', event: { type: 'prompt_proposed', promptId, step, origin, remediation, text, reason } }),
    { kind: 'decide', question: { kind: 'prompt', promptId, step, text, origin, remediation, reason } },
  ]);
}

export function runCommand(
  ctx: EngineContext,
  step: string,
  command: string,
  spec: Partial<Step & { kind: 'run' }> = {},
  vars: Record<string, string> = {},
): Result {
  const next = { ...ctx, seq: { ...ctx.seq, command: ctx.seq.command + 1 } };
  return done(next, [commandEffect(`c${next.seq.command}`, step, command, spec, vars)]);
}

function checkName(c: Check): string {
  if (c.name) return c.name;
  switch (c.check) {
    case 'file_exists':
      return `file ${c.path} exists`;
    case 'file_matches':
      return `${c.path} ${c.negate ? 'does not match' : 'matches'} /${c.regex}/`;
    case 'command':
      return `\`${c.run}\` exits 0`;
    case 'output_matches':
      return `output ${c.negate ? 'does not match' : 'matches'} /${c.regex}/`;
    case 'exit_code':
      return `exit code is ${c.equals}`;
    case 'python':
      return `python ${c.script} ${(c.args ?? []).join(' ')}`.trim();
    case 'metric':
      return c.expr;
    case 'agree':
      return `${c.figure} agrees with ${c.with}`;
    case 'editable_only':
      return 'only editable parts changed';
    case 'code_ran':
      return 'code at report time is the code the stages ran';
    case 'results_agree':
      return 'results file agrees with the log';
    case 'reviewer':
      return 'reviewer found no problem';
  }
}

/** Checks hold `{{variables}}` too; `run` fields get shell-quoted values. */
function renderCheck(check: Check, vars: Record<string, string>): Check {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(check)) {
    if (k === 'expr' && typeof v === 'string') out[k] = renderExpr(v, vars);
    else if (typeof v === 'string' && k !== 'check') out[k] = renderTemplate(v, vars, { shell: k === 'run', where: check.check });
    else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? renderTemplate(x, vars) : x));
    else out[k] = v;
  }
  return out as Check;
}

export function runChecks(
  pb: CompiledPlaybook,
  ctx: EngineContext,
  scope: 'step' | 'checklist',
  step: Step | undefined,
  checks: Check[],
  names?: string[],
): Result {
  const vars = step ? templateVars(pb, ctx, step) : { ...pb.vars, workspace: ctx.workspace, run_id: ctx.runId, branch: ctx.branch };
  const label = (v: Record<string, string>): NamedCheck[] =>
    checks.map((check, i) => {
      const rendered = renderCheck(check, v);
      const name = names?.[i];
      return { name: name !== undefined ? renderTemplate(name, v) : checkName(rendered), check: rendered };
    });
  const fanned = scope === 'step' && step?.kind === 'run' && step.for_each && judgedItems(ctx, step.id).length > 0;
  const named = fanned ? checksPerItem(ctx, step, vars, label) : label(vars).flatMap((c) => perValue(ctx, c));
  const gates = { expected: named.length, results: [], ...(fanned && { items: named.map((c) => c.item!) }) };
  return done({ ...ctx, gates }, [
    {
      kind: 'run_checks',
      scope,
      step: step?.id,
      checks: named.map(({ item: _item, ...c }) => c),
      metrics: metricScope(ctx, step?.id ?? ''),
      commandId: ctx.lastCommand?.commandId,
      exitCode: ctx.lastCommand?.exitCode,
    },
  ]);
}

/** The step's own action finished (agent turn or command): verify it. */
export function afterAction(pb: CompiledPlaybook, ctx: EngineContext): Result {
  const step = currentStep(pb, ctx);
  const implicit: Check[] = step.kind === 'run' ? [{ check: 'exit_code', equals: 0 }] : [];
  const gates = evidenceGates(pb, step);
  const checks = [...gates.before, ...(step.done_when ?? implicit), ...gates.after];
  if (checks.length === 0) return stepPassed(pb, ctx);
  return runChecks(pb, ctx, 'step', step, checks);
}

/**
 * The gates every run step gets from what the playbook declares, before its own: the code it ran
 * is the pristine tree plus the editable parts (`editable`), and the results file it wrote agrees
 * with its log (`results`). A playbook that lists one itself keeps its own.
 */
function evidenceGates(pb: CompiledPlaybook, step: Step): { before: Check[]; after: Check[] } {
  if (step.kind !== 'run') return { before: [], after: [] };
  const own = new Set((step.done_when ?? []).map((c) => c.check));
  return {
    // First: a refused tree is the reason the command did not run.
    before: pb.playbook.editable && !own.has('editable_only') ? [{ check: 'editable_only' }] : [],
    // Last: a stage that crashed wrote no results, and the crash is what a fix must read first.
    after: step.results && !own.has('results_agree') ? [{ check: 'results_agree' }] : [],
  };
}

export function stepPassed(pb: CompiledPlaybook, ctx: EngineContext): Result {
  const step = currentStep(pb, ctx);
  const effects: Effect[] = [emit({ kind: 'emit', event: { type: 'step_done', step: step.id, outcome: 'passed' } })];
  const nextIndex = step.next ? stepIndexOf(pb, step.next) : ctx.stepIndex + 1;
  const r = enterStep(pb, ctx, nextIndex);
  return { ctx: r.ctx, effects: [...effects, ...r.effects] };
}

export function failStep(pb: CompiledPlaybook, ctx: EngineContext, step: Step, reason: string): Result {
  const effects: Effect[] = [emit({ kind: 'emit', event: { type: 'step_done', step: step.id, outcome: 'failed' } })];
  if (step.on_fail === 'continue') {
    const r = enterStep(pb, ctx, ctx.stepIndex + 1);
    return { ctx: r.ctx, effects: [...effects, ...r.effects] };
  }
  const r = endRun(ctx, 'failed', `step '${step.id}' failed: ${reason}`);
  return { ctx: r.ctx, effects: [...effects, ...r.effects] };
}

/** All gates of the step are in: pass it, remediate, retry with feedback, or fail it. */
export function judgeStep(pb: CompiledPlaybook, judged: EngineContext): Result {
  const step = currentStep(pb, judged);
  const ctx = judged.gates.items ? settleItems(judged, step.id) : judged;
  const failed = ctx.gates.results.filter((g) => !g.passed);
  if (failed.length === 0) return stepPassed(pb, ctx);
  // A fanned-out step is remediated for one value at a time: its failure is the one that counts.
  const own = ctx.focus === null ? failed : ctx.gates.results.filter((g, i) => !g.passed && ctx.gates.items?.[i] === ctx.focus);
  const failures = { ...ctx.failures, [step.id]: [...(ctx.failures[step.id] ?? []), failureSignature({ tail: ctx.lastCommand?.tail ?? [], hits: ctx.hits, detail: own[0] && describeGate(own[0]) })] };
  const next = { ...ctx, failures };
  const chosen = chooseRemediation(pb, next, step.id);
  if (chosen) return applyRemediation(pb, next, step, chosen.rule.id, chosen.why, chosen.hit);
  const attemptsLeft = (next.attempts[step.id] ?? 0) < maxAttempts(pb, step, next);
  if (step.kind === 'prompt' && attemptsLeft) return enterStep(pb, next, next.stepIndex, failed.map(describeGate));
  return failStep(pb, next, step, failed.map(describeGate).join('; '));
}

function describeGate(g: GateResult): string {
  return `${g.check}: ${g.detail}`;
}

/** A remediation's action finished: redo the step it names (the failing one by default). */
export function retryAfterRemediation(pb: CompiledPlaybook, ctx: EngineContext): Result {
  const step = currentStep(pb, ctx);
  const target = ctx.activity?.retry ?? step.id;
  // The agent just worked on a prompt step's goal in answer to the remediation: judge the step
  // again instead of repeating its original prompt. A run step is rerun.
  if (target === step.id && step.kind === 'prompt') return afterAction(pb, { ...ctx, activity: { origin: 'step' } });
  return enterStep(pb, ctx, stepIndexOf(pb, target));
}

export function startChecklist(pb: CompiledPlaybook, ctx: EngineContext): Result {
  const items = pb.playbook.checklist ?? [];
  if (items.length === 0) return endRun(ctx, 'passed', 'every step passed');
  const r = runChecks(
    pb,
    { ...ctx, activity: null },
    'checklist',
    undefined,
    items.map((i) => i.verify),
    items.map((i) => i.item),
  );
  return r;
}

export function judgeChecklist(ctx: EngineContext): Result {
  const failed = ctx.gates.results.filter((g) => !g.passed);
  if (failed.length === 0) return endRun(ctx, 'passed', 'every step and checklist item passed');
  return endRun(ctx, 'failed', `checklist: ${failed.map(describeGate).join('; ')}`);
}

