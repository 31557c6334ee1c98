import { currentStep, rulesFor, type EngineContext } from '../engine/context.js';
import { promptText, templateVars } from '../engine/logic.js';
import { remediationVars } from '../engine/remediate.js';
import { excerptLines } from '../engine/excerpt.js';
import { renderTemplate } from '../playbook/template.js';
import { parseDuration } from '../playbook/duration.js';
import type { Event, EventOf } from '../events/schema.js';
import { HOOK_TIMEOUT_S } from './settings.js';
import { allEvents, escalation, pendingPrompt, type HookRun } from './hook-run.js';

/** What labpilot tells the model and the person about an attached run. */

export function stepLine(run: HookRun): string {
  const ctx = run.context;
  const pb = run.session.engine.playbook;
  if (ctx.verdict) return `labpilot run ${run.id} (${pb.playbook.name}) ended: ${ctx.verdict.verdict}: ${ctx.verdict.reason}`;
  const steps = pb.playbook.steps;
  const step = currentStep(pb, ctx);
  const b = pb.playbook.budgets;
  const spent = [`${ctx.spent.turns}${b?.turns !== undefined ? ` of ${b.turns}` : ''} turns`, `$${ctx.spent.dollars.toFixed(2)}${b?.dollars !== undefined ? ` of $${b.dollars}` : ''}`];
  return (
    `labpilot run ${run.id} supervises this session with the playbook ${pb.playbook.name}: ` +
    `step ${ctx.stepIndex + 1} of ${steps.length}, '${step.id}'${step.title ? ` (${step.title})` : ''}, attempt ${ctx.attempts[step.id] ?? 1}; ` +
    `spent ${spent.join(', ')}. labpilot checks the step itself (it runs the commands and checks) each time you stop.`
  );
}

/** SessionStart's context: where the run stands and the prompt it waits to see answered. */
export function sessionContext(run: HookRun): string {
  const p = pendingPrompt(run.context);
  const needed = escalation(run.context);
  if (needed) return `${stepLine(run)}\n\nlabpilot stopped for the person: ${needed.text}`;
  return p ? `${stepLine(run)}\n\nThe current step's prompt:\n\n${p.text}` : stepLine(run);
}

/** Whether the prompt has reached the model (a Stop block, or context with the person's prompt). */
export function delivered(events: Event[], promptId: string): boolean {
  return events.some((e) => e.type === 'prompt_sent' && e.promptId === promptId);
}

/**
 * A remediation's prompt for a trigger that matched a tool's output, rendered as the engine
 * renders it at a failed gate, quoting the tool's output as the excerpt. The engine still
 * decides at the next Stop; this tells the model now.
 */
export function remediationHint(run: HookRun, hit: EventOf<'trigger_matched'>, output: string): string | undefined {
  const pb = run.session.engine.playbook;
  const rule = rulesFor(pb, hit.step).find((r) => r.id === hit.remediation);
  if (rule?.then.action !== 'prompt') return undefined;
  const then = rule.then;
  const ctx: EngineContext = run.context;
  const step = currentStep(pb, ctx);
  const hitVars = remediationVars(ctx, rule.id, { remediation: rule.id, source: hit.source, line: hit.line, groups: hit.groups });
  const vars = { ...templateVars(pb, ctx, step), ...hitVars, excerpt: excerptLines(output).join('\n') };
  return `labpilot: the tool's output matched the remediation '${rule.id}' of step '${step.id}':\n\n${renderTemplate(promptText(pb, then.prompt), vars, { where: then.prompt })}`;
}

/** A command that may outlast one hook call runs detached (no timeout, or one longer than the hook's). */
export function outlastsHook(run: HookRun, e: EventOf<'command_started'>): boolean {
  const step = run.session.engine.playbook.playbook.steps.find((s) => s.id === e.step);
  const timeout = step?.kind === 'run' ? step.timeout : undefined;
  return timeout === undefined || parseDuration(timeout) > (HOOK_TIMEOUT_S - 60) * 1000;
}

/** The person's prompts so far in the run, for numbering the next one. */
export const personPrompts = (run: HookRun) => allEvents(run).filter((e) => e.type === 'prompt_sent' && /^u\d+$/.test(e.promptId)).length;
