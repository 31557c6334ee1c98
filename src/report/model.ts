import type { Event, EventOf } from '../events/schema.js';
import { parseLiberoOutput, type StageFigures } from '../results/libero-log.js';
import { speedupOf, type Speedup } from './stats.js';

/**
 * Everything the report shows, derived from the run log alone: a past run's report can be
 * rebuilt at any time, and two builds from the same log are identical.
 */
export interface RunReport {
  runId: string;
  playbook: string;
  mode: string;
  branch: string;
  agent: string;
  model: string;
  vars: Record<string, string>;
  verdict?: { verdict: string; reason: string };
  stages: StageReport[];
  comparison?: Comparison;
  checklist: Array<{ item: string; passed: boolean; detail: string }>;
  remediations: Array<{ step: string; remediation: string; action: string; attempt: number; why: string }>;
  earlyStops: Array<{ step: string; commandId: string; evidence: string }>;
  /** The results JSON of a stage read against its log (src/results/cross-check.ts). */
  crossChecks: Array<{ step: string; agrees: boolean; text: string }>;
  cost: Cost;
}

export interface StageReport {
  step: string;
  commandId: string;
  command: string;
  attempts: number;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  metrics: Record<string, number>;
  figures: StageFigures;
  /** The step's gates on this command, as judged. */
  gates: Array<{ check: string; passed: boolean; detail: string }>;
}

export interface Comparison {
  treatment: string;
  baseline: string;
  speedup?: Speedup;
}

export interface StepCost {
  step: string;
  attempts: number;
  wallMs: number;
  commandMs: number;
  turns: number;
  tokens: number;
  dollars: number;
}

export interface Cost {
  turns: number;
  tokens: number;
  dollars: number;
  wallMs: number;
  steps: StepCost[];
}

const of =
  <T extends Event['type']>(type: T) =>
  (e: Event): e is EventOf<T> =>
    e.type === type;

export function buildReport(events: Event[]): RunReport {
  const started = events.find(of('run_started'));
  if (!started) throw new Error('the run log has no run_started event');
  const ended = events.filter(of('run_ended')).at(-1);
  const stages = stagesOf(events);
  return {
    runId: started.runId,
    playbook: started.playbook,
    mode: started.mode,
    branch: started.branch,
    agent: started.agent,
    model: started.model,
    vars: started.vars,
    verdict: ended && { verdict: ended.verdict, reason: ended.reason },
    stages,
    comparison: comparisonOf(stages),
    checklist: events.filter(of('gate_judged')).filter((g) => g.scope === 'checklist').map((g) => ({ item: g.check, passed: g.passed, detail: g.detail })),
    remediations: events.filter(of('remediation_chosen')).map(({ step, remediation, action, attempt, why }) => ({ step, remediation, action, attempt, why })),
    earlyStops: earlyStopsOf(events),
    crossChecks: crossChecksOf(events),
    cost: costOf(events),
  };
}

/** The last command of each run step, with its output parsed; steps in the order they ran. */
function stagesOf(events: Event[]): StageReport[] {
  const lines = new Map<string, string[]>();
  for (const e of events) if (e.type === 'command_output') (lines.get(e.commandId) ?? lines.set(e.commandId, []).get(e.commandId)!).push(e.line);
  const commands = new Map(events.filter(of('command_started')).map((c) => [c.commandId, c]));
  const last = new Map<string, { exited: EventOf<'command_exited'>; attempts: number }>();
  for (const x of events.filter(of('command_exited'))) {
    last.set(x.step, { exited: x, attempts: (last.get(x.step)?.attempts ?? 0) + 1 });
  }
  return [...last.values()].map(({ exited, attempts }) => {
    const gates = gatesAfter(events, exited);
    return {
      step: exited.step,
      commandId: exited.commandId,
      command: commands.get(exited.commandId)?.command ?? '',
      attempts,
      exitCode: exited.exitCode,
      signal: exited.signal,
      durationMs: exited.durationMs,
      metrics: exited.metrics,
      figures: parseLiberoOutput(lines.get(exited.commandId) ?? []),
      gates,
    };
  });
}

/** The step gates judged right after a command exited (until the next command or step). */
function gatesAfter(events: Event[], exited: EventOf<'command_exited'>): StageReport['gates'] {
  const out: StageReport['gates'] = [];
  for (const e of events.slice(events.indexOf(exited) + 1)) {
    if (e.type === 'command_started' || e.type === 'step_entered' || e.type === 'step_done') break;
    if (e.type === 'gate_judged' && e.scope === 'step' && e.step === exited.step) out.push({ check: e.check, passed: e.passed, detail: e.detail });
  }
  return out;
}

/**
 * The stage measured without the change (a step named like "baseline") against the largest other
 * stage with per-task results that came before it: in the RSD playbook, full against baseline.
 */
function comparisonOf(stages: StageReport[]): Comparison | undefined {
  const measured = stages.filter((s) => s.figures.tasks.length > 0);
  const baseline = measured.find((s) => /baseline/i.test(s.step));
  if (!baseline) return undefined;
  const others = measured.filter((s) => s !== baseline);
  const size = (s: StageReport) => s.figures.episodes.length;
  const treatment = others.reduce<StageReport | undefined>((best, s) => (best && size(best) > size(s) ? best : s), undefined);
  if (!treatment) return undefined;
  return { treatment: treatment.step, baseline: baseline.step, speedup: speedupOf(baseline.figures, treatment.figures) };
}

const EARLY = /^stopping (\S+) early: (.*)$/s;

function earlyStopsOf(events: Event[]): RunReport['earlyStops'] {
  const stepOf = new Map(events.filter(of('command_started')).map((c) => [c.commandId, c.step]));
  return events
    .filter(of('notice'))
    .map((n) => EARLY.exec(n.message))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ commandId: m[1]!, step: stepOf.get(m[1]!) ?? '', evidence: m[2]! }));
}

const CROSS_CHECK = /^results cross-check (\S+): (.*)$/s;

function crossChecksOf(events: Event[]): RunReport['crossChecks'] {
  const stepOf = new Map(events.filter(of('command_started')).map((c) => [c.commandId, c.step]));
  return events
    .filter(of('notice'))
    .flatMap((n) => {
      const m = CROSS_CHECK.exec(n.message);
      return m ? [{ step: stepOf.get(m[1]!) ?? '', agrees: n.level === 'info', text: m[2]! }] : [];
    });
}

function costOf(events: Event[]): Cost {
  const stepOfPrompt = new Map(events.filter(of('prompt_sent')).map((p) => [p.promptId, p.step]));
  const steps = new Map<string, StepCost>();
  const stepCost = (step: string) =>
    steps.get(step) ?? steps.set(step, { step, attempts: 0, wallMs: 0, commandMs: 0, turns: 0, tokens: 0, dollars: 0 }).get(step)!;
  let current: { step: string; since: number } | undefined;
  const close = (ts: string) => {
    if (current) stepCost(current.step).wallMs += Date.parse(ts) - current.since;
    current = undefined;
  };
  for (const e of events) {
    if (e.type === 'step_entered') {
      close(e.ts);
      stepCost(e.step).attempts++;
      current = { step: e.step, since: Date.parse(e.ts) };
    } else if (e.type === 'step_done' || e.type === 'run_ended') {
      close(e.ts);
    } else if (e.type === 'command_exited') {
      stepCost(e.step).commandMs += e.durationMs;
    } else if (e.type === 'agent_turn_ended') {
      const c = stepCost(stepOfPrompt.get(e.promptId) ?? '(outside a step)');
      c.turns++;
      c.tokens += e.usage.inputTokens + e.usage.outputTokens + e.usage.cacheReadTokens + e.usage.cacheWriteTokens;
      c.dollars += e.costUsd;
    }
  }
  const spent = events.filter(of('budget_spent')).at(-1);
  const first = events[0];
  // A finished run's wall time ends with its verdict; what is appended later (saving the
  // results, a push) does not change the report.
  const lastEvent = events.filter(of('run_ended')).at(-1) ?? events.at(-1);
  const all = [...steps.values()];
  return {
    turns: spent?.turns ?? all.reduce((a, s) => a + s.turns, 0),
    tokens: spent?.tokens ?? all.reduce((a, s) => a + s.tokens, 0),
    dollars: spent?.dollars ?? all.reduce((a, s) => a + s.dollars, 0),
    wallMs: first && lastEvent ? Date.parse(lastEvent.ts) - Date.parse(first.ts) : 0,
    steps: all,
  };
}
