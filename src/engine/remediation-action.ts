import type { Effect } from './effects.js';
import { type Result, done, emit } from './effect-builders.js';
import type { CompiledPlaybook, EngineContext, TriggerHit } from './context.js';
import { budgetExceeded } from './budgets.js';
import { endRun, promptText, propose, runCommand, templateVars } from './logic.js';
import { remediationVars } from './remediate.js';
import { renderTemplate } from '../playbook/template.js';
import type { Step, Then } from '../playbook/schema.js';

/**
 * A chosen remediation's action, one case per member of `then`: a new kind of action is a
 * new member of the union, and the `never` below makes the compiler name this place.
 */
export function applyRemediation(pb: CompiledPlaybook, ctx: EngineContext, step: Step, ruleId: string, why: string, hit: TriggerHit | undefined): Result {
  // Every remediation is a new action and most are a new turn: the budgets are checked here as
  // well as on entering a step, since a prompt step's remediation loop never re-enters it.
  const over = budgetExceeded(pb, ctx);
  if (over) return endRun(ctx, 'budget_exhausted', over);
  const rule = pb.playbook.remediations!.find((r) => r.id === ruleId)!;
  const key = `${rule.id}@${step.id}`;
  const attempt = (ctx.ruleAttempts[key] ?? 0) + 1;
  const then = rule.then;
  const next: EngineContext = {
    ...ctx,
    ruleAttempts: { ...ctx.ruleAttempts, [key]: attempt },
    activity: { origin: 'remediation', remediation: rule.id, retry: 'retry' in then ? then.retry : undefined },
    // What the remediation's action produces is new evidence; the hit that chose it is spent.
    hits: [],
  };
  const chosen = emit({
    kind: 'emit',
    event: { type: 'remediation_chosen', remediation: rule.id, step: step.id, action: then.action, attempt, why, ...(ctx.focus !== null && { item: ctx.focus }) },
  });
  const vars = { ...templateVars(pb, next, step), ...remediationVars(next, rule.id, hit) };
  const render = (template: string, shell = false) => renderTemplate(template, vars, { shell, where: rule.id });
  const r = act(then, next, step, render, pb, why);
  return { ctx: r.ctx, effects: [chosen, ...r.effects] };
}

function act(then: Then, next: EngineContext, step: Step, render: (t: string, shell?: boolean) => string, pb: CompiledPlaybook, why: string): Result {
  switch (then.action) {
    case 'prompt':
      return propose(next, step.id, render(promptText(pb, then.prompt)), next.activity!, why);
    case 'run':
      return runCommand(next, step.id, render(then.run, true));
    case 'ask':
    case 'escalate': {
      const ref = `a${next.seq.ask + 1}`;
      const text = render(then.action === 'ask' ? then.ask : then.escalate);
      const question: Effect = { kind: 'decide', question: { kind: 'ask', ref, step: step.id, text, ...(then.action === 'escalate' && { escalate: true }) } };
      return done({ ...next, seq: { ...next.seq, ask: next.seq.ask + 1 } }, [question]);
    }
    case 'abort':
      return endRun(next, 'aborted', render(then.abort));
    default: {
      const unhandled: never = then;
      throw new Error(`unhandled remediation action ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The text a remediation would send or say, for coverage reports. */
export function thenTemplate(pb: CompiledPlaybook, then: Then): string {
  switch (then.action) {
    case 'prompt':
      return promptText(pb, then.prompt);
    case 'run':
      return then.run;
    case 'ask':
      return then.ask;
    case 'abort':
      return then.abort;
    case 'escalate':
      return then.escalate;
  }
}
