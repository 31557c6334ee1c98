import type { Event, EventOf } from '../events/schema.js';
import type { StageFigures } from '../results/libero-log.js';
import { comparisonsOf, stagesOf } from './stages.js';
import { InputError } from '../errors.js';
import type { Speedup } from './stats.js';
import { conditionsOf, evaluatedCommitOf, remediationsOf } from './provenance.js';
import { evidenceOf, type EvidenceReport } from './evidence.js';

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
  /** Whether the agent's shell and the stage commands ran in the OS sandbox. */
  sandbox?: { enabled: boolean; detail: string };
  vars: Record<string, string>;
  /** When the run started (ISO 8601). */
  date: string;
  playbookHash: string;
  /** labpilot's version; absent in logs written before it was recorded. */
  labpilot?: string;
  /** The playbook's names for its stages (`label:`), by step id. */
  labels: Record<string, string>;
  /** The last commit of the agent's work before the compared treatment stage ran: what was evaluated. */
  evaluatedCommit?: { sha: string; files: string[]; before: string };
  /** Fixes that changed the experimental condition, and the commands that ran after them. */
  conditions: Array<{ remediation: string; title: string; condition: string; step: string; item?: string; after: string[] }>;
  verdict?: { verdict: string; reason: string };
  /** One per run step, or per step and item for a step fanned out over a list (`for_each`). */
  stages: StageReport[];
  /**
   * Treatment against baseline: none, one for a run without fan-out, or one per item (suite) when
   * the compared steps were fanned out, in the order the items ran.
   */
  comparisons: Comparison[];
  checklist: Array<{ item: string; passed: boolean; detail: string }>;
  /** `title` from the playbook (else the id); `line` is the output line that fired it, if one did. */
  remediations: Array<{ step: string; remediation: string; title: string; action: string; attempt: number; why: string; line?: string; item?: string }>;
  earlyStops: Array<{ step: string; item?: string; commandId: string; evidence: string }>;
  /** The results JSON of a stage read against its log (src/results/cross-check.ts). */
  crossChecks: Array<{ step: string; item?: string; agrees: boolean; text: string }>;
  /** The trees the stages ran, their gates with the second signals, the reviews (src/evidence/). */
  evidence: EvidenceReport;
  cost: Cost;
}

export interface StageReport {
  step: string;
  /** The value of the step's `for_each` variable this stage ran for; absent without fan-out. */
  item?: string;
  commandId: string;
  attempts: number;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  figures: StageFigures;
}

export interface Comparison {
  treatment: string;
  baseline: string;
  /** The item (suite) both compared stages ran for; absent without fan-out. */
  item?: string;
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

/** `where`: the log the events came from, named by the error when they are not a run's. */
export function buildReport(events: Event[], where?: string): RunReport {
  const started = events.find(of('run_started'));
  if (!started) throw new InputError('not a run log: no run_started event', where);
  const ended = events.filter(of('run_ended')).at(-1);
  const stages = stagesOf(events);
  const comparisons = comparisonsOf(stages);
  const annotations = started.annotations ?? { labels: {}, remediations: {} };
  return {
    runId: started.runId,
    playbook: started.playbook,
    mode: started.mode,
    branch: started.branch,
    agent: started.agent,
    model: started.model,
    sandbox: started.sandbox,
    vars: started.vars,
    date: started.ts,
    playbookHash: started.playbookHash,
    ...(started.labpilot !== undefined && { labpilot: started.labpilot }),
    labels: annotations.labels,
    ...evaluatedCommitOf(events, stages, comparisons),
    conditions: conditionsOf(events, annotations),
    verdict: ended && { verdict: ended.verdict, reason: ended.reason },
    stages,
    comparisons,
    // A checklist cut short by a kill is judged again on resume: the last verdict of each item counts.
    checklist: [
      ...new Map(events.filter(of('gate_judged')).filter((g) => g.scope === 'checklist').map((g) => [g.check, { item: g.check, passed: g.passed, detail: g.detail }])).values(),
    ],
    remediations: remediationsOf(events, annotations),
    earlyStops: earlyStopsOf(events),
    crossChecks: crossChecksOf(events),
    evidence: evidenceOf(events),
    cost: costOf(events),
  };
}

const EARLY = /^stopping (\S+) early: (.*)$/s;

/** The step and item of a command, named by its id in a notice. */
function commandsOf(events: Event[]): (commandId: string) => { step: string; item?: string } {
  const started = new Map(events.filter(of('command_started')).map((c) => [c.commandId, c]));
  return (id) => {
    const c = started.get(id);
    return { step: c?.step ?? '', ...(c?.item !== undefined && { item: c.item }) };
  };
}

function earlyStopsOf(events: Event[]): RunReport['earlyStops'] {
  const command = commandsOf(events);
  return events
    .filter(of('notice'))
    .map((n) => EARLY.exec(n.message))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ commandId: m[1]!, ...command(m[1]!), evidence: m[2]! }));
}

const CROSS_CHECK = /^results cross-check (\S+): (.*)$/s;

function crossChecksOf(events: Event[]): RunReport['crossChecks'] {
  const command = commandsOf(events);
  return events
    .filter(of('notice'))
    .flatMap((n) => {
      const m = CROSS_CHECK.exec(n.message);
      return m ? [{ ...command(m[1]!), agrees: n.level === 'info', text: m[2]! }] : [];
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
