import type { Effect } from './effects.js';
import type { Playbook, Remediation, Step } from '../playbook/schema.js';
import type { Source, Verdict } from '../events/schema.js';

/** A playbook ready to run: schema-checked, prompt files read, variables resolved. */
export interface CompiledPlaybook {
  playbook: Playbook;
  /** Prompt reference as written -> file text (references ending in .md). */
  prompts: Record<string, string>;
  /** Declared variables with their values (defaults applied, --var overrides). */
  vars: Record<string, string>;
  /** Default attempts for steps without max_attempts. */
  defaultAttempts: number;
}

export interface TriggerHit {
  remediation: string;
  source: Source;
  line: string;
  groups: string[];
  /** The for_each value whose command printed the line. */
  item?: string;
}

export interface GateResult {
  check: string;
  passed: boolean;
  detail: string;
}

/** One value's last run of a step with `for_each`. */
export interface ItemRun {
  commandId: string;
  command?: string;
  exitCode: number | null;
  tail: string[];
  metrics: Record<string, number>;
  /** Set once its gates are judged; a retry reruns only the values not passed. */
  passed?: boolean;
}

/** Why the current prompt or command was issued, so its answer is routed right. */
export interface Activity {
  origin: 'step' | 'remediation';
  remediation?: string;
  /** Step to (re)enter after a remediation's action; the failing step by default. */
  retry?: string;
}

/**
 * The engine's whole state. Plain JSON, so a snapshot can be compared and a log folded into it;
 * nothing here is derived from outside the event stream.
 */
export interface EngineContext {
  runId: string;
  workspace: string;
  branch: string;
  stepIndex: number;
  /** Entries into each step (1 on the first entry). */
  attempts: Record<string, number>;
  /** Attempts a person added to a step by taking over after an escalation. */
  granted: Record<string, number>;
  /** Times each remediation fired in each step: key `rule@step`. */
  ruleAttempts: Record<string, number>;
  /** Trigger hits since the current attempt of the step began. */
  hits: TriggerHit[];
  lastCommand: { commandId: string; exitCode: number | null; tail: string[]; command?: string } | null;
  /** Metrics parsed from each step's last command. */
  metrics: Record<string, Record<string, number>>;
  /** The evaluated tree's hash each run step's last command ran on (src/evidence/). */
  trees: Record<string, string>;
  /** Error signature of each failed attempt of a step, newest last, for `repeated`. */
  failures: Record<string, string[]>;
  /** The for_each value each expected gate judges, when the step fans out. */
  gates: { expected: number; results: GateResult[]; items?: string[] };
  /** Steps with for_each: each value's last run. */
  fanout: Record<string, Record<string, ItemRun>>;
  /** The for_each value a failed step is remediated for: prompts quote its figures and output. */
  focus: string | null;
  spent: { turns: number; tokens: number; dollars: number };
  startedAt: number;
  now: number;
  seq: { prompt: number; command: number; ask: number };
  activity: Activity | null;
  /** The effect the engine waits on; reissued when a killed run resumes. */
  pending: Effect | null;
  verdict: { verdict: Verdict; reason: string } | null;
}

export function initialContext(): EngineContext {
  return {
    runId: '',
    workspace: '',
    branch: '',
    stepIndex: 0,
    attempts: {},
    granted: {},
    ruleAttempts: {},
    hits: [],
    lastCommand: null,
    metrics: {},
    trees: {},
    failures: {},
    gates: { expected: 0, results: [] },
    fanout: {},
    focus: null,
    spent: { turns: 0, tokens: 0, dollars: 0 },
    startedAt: 0,
    now: 0,
    seq: { prompt: 0, command: 0, ask: 0 },
    activity: null,
    pending: null,
    verdict: null,
  };
}

export function currentStep(pb: CompiledPlaybook, ctx: EngineContext): Step {
  const step = pb.playbook.steps[ctx.stepIndex];
  if (!step) throw new Error(`no step at index ${ctx.stepIndex}`);
  return step;
}

export function stepIndexOf(pb: CompiledPlaybook, id: string): number {
  const i = pb.playbook.steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`unknown step '${id}'`);
  return i;
}

export function maxAttempts(pb: CompiledPlaybook, step: Step, ctx: Pick<EngineContext, 'granted'>): number {
  return (step.max_attempts ?? pb.defaultAttempts) + (ctx.granted[step.id] ?? 0);
}

export function rulesFor(pb: CompiledPlaybook, step: string): Remediation[] {
  return (pb.playbook.remediations ?? []).filter((r) => !r.steps || r.steps.includes(step));
}

/** All metrics visible to a predicate: the step's own by bare name, every step's as `step.name`. */
export function metricScope(ctx: EngineContext, step: string): Record<string, number> {
  const scope: Record<string, number> = {};
  for (const [s, values] of Object.entries(ctx.metrics)) {
    for (const [k, v] of Object.entries(values)) scope[`${s}.${k}`] = v;
  }
  Object.assign(scope, ctx.metrics[step] ?? {});
  return scope;
}
