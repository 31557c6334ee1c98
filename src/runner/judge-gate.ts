import { join } from 'node:path';
import type { Effect } from '../engine/effects.js';
import { messageOf } from '../errors.js';
import { evaluateCheck, type CheckContext, type CheckOutcome } from './checks.js';
import type { RunnerOptions } from './runner.js';
import type { Evidence } from '../evidence/evidence-checks.js';

type RunChecks = Effect & { kind: 'run_checks' };

/** One gate of a run_checks effect, judged on the figures, command log and exit code it names; a check that cannot run fails. */
export function judgeGate(o: RunnerOptions, effect: RunChecks, gate: RunChecks['checks'][number], evidence?: Evidence): Promise<CheckOutcome> {
  const { name, check, metrics } = gate;
  const commandId = gate.commandId ?? effect.commandId;
  const ctx: CheckContext = {
    workspace: o.workspace,
    commands: o.commands,
    metrics: metrics ?? effect.metrics,
    commandLog: commandId ? join(o.commandsDir, `${commandId}.log`) : undefined,
    exitCode: 'exitCode' in gate ? gate.exitCode : effect.exitCode,
    scriptDirs: o.scriptDirs,
    env: o.env,
    sources: metricSources(o, effect.step),
    evidence,
  };
  const evaluate = o.evaluate ?? evaluateCheck;
  return evaluate(check, ctx, { scope: effect.scope, step: effect.step, name }).catch((err: unknown) => ({
    passed: false,
    detail: `check failed to run: ${messageOf(err)}`,
  }));
}

/** Where each of the step's figures comes from, in words: a metric's `from`, else its pattern. */
export function metricSources(o: Pick<RunnerOptions, 'engine'>, step: string | undefined): Record<string, string> {
  const spec = o.engine.playbook.playbook.steps.find((s) => s.id === step);
  const metrics = spec?.kind === 'run' ? (spec.metrics ?? []) : [];
  return Object.fromEntries(metrics.map((m) => [m.name, m.from ?? `lines matching /${m.regex}/`]));
}
