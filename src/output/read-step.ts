import { Engine } from '../engine/engine.js';
import { InputError } from '../errors.js';
import type { CompiledPlaybook } from '../engine/context.js';
import { rulesFor } from '../engine/context.js';
import type { Effect } from '../engine/effects.js';
import { compileMatcher } from '../engine/matcher.js';
import type { Event, EventInput } from '../events/schema.js';
import type { Check } from '../playbook/schema.js';
import { evaluateCheck } from '../runner/checks.js';
import { metricSources } from '../runner/judge-gate.js';
import type { Signal } from '../evidence/evidence-checks.js';
import { createMetricsCollector } from '../runner/metrics.js';
import { excerptLines } from '../engine/excerpt.js';
import { normaliseText } from './normaliser.js';
import { prefixRegexes } from './streams.js';
import { createTriggerScanner } from './trigger-scanner.js';

/**
 * What a `run` step makes of a saved output, running nothing: the output normalised as the
 * runner reads it, the step's figures (after `derive`), the first line each applicable trigger
 * matches, the gates judged by the runner's own check code, and the remediation chosen by the
 * engine itself: a copy of the playbook that starts at the step is driven with the events a run
 * would log (run_started, trigger_matched, command_exited, gate_judged), so the choice and its
 * rendered prompt are whatever the engine decides.
 */

export interface StepReading {
  step: string;
  lines: number;
  metrics: Record<string, number>;
  triggers: Array<{ remediation: string; line: string }>;
  /** Each gate judged, with the figures it read and where each came from (a cross-check: its two signals). */
  gates: Array<{ check: string; kind: Check['check']; passed: boolean; detail: string; signals?: Array<Signal & { second?: Array<Signal & { gate: string; passed: boolean }> }> }>;
  /** Gates that need the workspace or a process (parse runs nothing), or an exit code not given. */
  notJudged: string[];
  remediation: { id: string; action: string; text: string } | null;
}

const PIPE_READ = 64 * 1024;
const JUDGED_WITHOUT_RUNNING = new Set<Check['check']>(['metric', 'exit_code', 'output_matches', 'agree']);

export async function readStep(pb: CompiledPlaybook, stepId: string, text: string, o: { logFile: string; exitCode?: number; cwd: string }): Promise<StepReading> {
  const index = pb.playbook.steps.findIndex((s) => s.id === stepId);
  const step = pb.playbook.steps[index];
  if (!step || step.kind !== 'run') throw new InputError(`step '${stepId}' is not a run step`);
  const prefixes = prefixRegexes(pb.playbook.output);
  const lines = normaliseText(text, { prefixes });
  const metrics = createMetricsCollector(step.metrics ?? []);
  const matcher = compileMatcher((pb.playbook.remediations ?? []).filter((r) => r.when.match !== undefined).map((r) => ({ id: r.id, regex: r.when.match!, sources: r.when.in })));
  const applicable = new Set(rulesFor(pb, step.id).map((r) => r.id));
  const hits: Array<{ remediation: string; line: string; groups: string[] }> = [];
  // Triggers as a run finds them: the byte scanner over the output, as it came.
  const scanner = createTriggerScanner(matcher, 'command_output', (line, matches) => {
    for (const m of matches) if (applicable.has(m.id) && !hits.some((h) => h.remediation === m.id)) hits.push({ remediation: m.id, line, groups: m.groups });
  }, { prefixes });
  const bytes = Buffer.from(text);
  // In pieces of what a pipe delivers at most per read, as a run's output arrives.
  for (let at = 0; at < bytes.length; at += PIPE_READ) scanner.push(bytes.subarray(at, at + PIPE_READ));
  scanner.end();
  for (const line of lines) metrics.line(line);
  // The cut a live run quotes (src/runner/command-excerpt.ts), over the same normalised lines.
  const excerpt = excerptLines(lines.join('\n'));
  const values = metrics.values(step.derive);

  const drive = engineFrom(pb, index);
  const started = drive.feed({ type: 'run_started', runId: 'parse', playbook: pb.playbook.name, playbookPath: '', playbookHash: '', vars: pb.vars, mode: 'replay', workspace: o.cwd, branch: '', agent: 'none', model: 'none' });
  const run = started.find((e) => e.kind === 'run_command' || e.kind === 'run_commands');
  if (!run) throw new InputError(`step '${stepId}' ran no command (${describe(started)})`);
  for (const h of hits) drive.feed({ type: 'trigger_matched', remediation: h.remediation, step: step.id, source: 'command_output', line: h.line, groups: h.groups });
  const ids = run.kind === 'run_command' ? [run.commandId] : run.kind === 'run_commands' ? run.runs.map((r) => r.commandId) : [];
  let effects: Effect[] = [];
  for (const commandId of ids) {
    effects = drive.feed({ type: 'command_exited', commandId, step: step.id, exitCode: o.exitCode ?? 0, signal: null, durationMs: 0, metrics: values, tail: excerpt });
  }
  const gates: StepReading['gates'] = [];
  const notJudged: string[] = [];
  const checks = effects.find((e): e is Effect & { kind: 'run_checks' } => e.kind === 'run_checks');
  for (const c of checks?.checks ?? []) {
    const judged = JUDGED_WITHOUT_RUNNING.has(c.check.check) && (c.check.check !== 'exit_code' || o.exitCode !== undefined);
    const outcome = judged
      ? await evaluateCheck(c.check, { workspace: o.cwd, commands: NO_COMMANDS, metrics: c.metrics ?? checks!.metrics, commandLog: o.logFile, exitCode: o.exitCode, scriptDirs: [], sources: metricSources({ engine: drive.engine }, step.id) })
      : { passed: true, detail: 'not judged' };
    if (judged) gates.push({ check: c.name, kind: c.check.check, ...outcome });
    else notJudged.push(c.name);
    effects = drive.feed({ type: 'gate_judged', scope: 'step', step: step.id, check: c.name, passed: outcome.passed, detail: outcome.detail });
  }
  return { step: step.id, lines: lines.length, metrics: values, triggers: hits.map(({ remediation, line }) => ({ remediation, line })), gates: withSecondSignals(gates), notJudged, remediation: chosen(effects) };
}

/**
 * Each figure a gate reads, with the second signal that checks it: the step's cross-checks
 * (`agree`) whose first figure it is. A figure no cross-check covers has `second: []`.
 */
function withSecondSignals(gates: StepReading['gates']): StepReading['gates'] {
  const crossChecks = gates.filter((g) => g.kind === 'agree' && g.signals?.length === 2);
  return gates.map((g) => {
    if (!g.signals || crossChecks.includes(g)) return g;
    const signals = g.signals.map((sig) => ({
      ...sig,
      second: crossChecks.filter((c) => c.signals![0]!.name === sig.name).map((c) => ({ gate: c.check, passed: c.passed, ...c.signals![1]! })),
    }));
    return { ...g, signals };
  });
}

/** The engine on a copy of the playbook that starts at the step. */
function engineFrom(pb: CompiledPlaybook, index: number) {
  const engine = new Engine({ ...pb, playbook: { ...pb.playbook, steps: pb.playbook.steps.slice(index) } });
  let snapshot = engine.initial();
  let seq = 0;
  return {
    engine,
    feed(input: EventInput): Effect[] {
      const r = engine.next(snapshot, { ...input, seq: seq++, ts: new Date(0).toISOString() } as Event);
      snapshot = r.snapshot;
      return r.effects;
    },
  };
}

/** The remediation the engine chose after the gates, with what it would do: prompt, question, command, abort. */
function chosen(effects: Effect[]): StepReading['remediation'] {
  const events = effects.flatMap((e) => (e.kind === 'emit' ? [e.event] : []));
  const pick = events.find((e) => e.type === 'remediation_chosen');
  if (!pick || pick.type !== 'remediation_chosen') return null;
  const proposed = events.find((e) => e.type === 'prompt_proposed');
  const ended = events.find((e) => e.type === 'run_ended');
  const ask = effects.find((e) => e.kind === 'decide' && e.question.kind === 'ask');
  const command = effects.find((e) => e.kind === 'run_command');
  const text =
    proposed?.type === 'prompt_proposed' ? proposed.text
    : ask?.kind === 'decide' ? ask.question.text
    : command?.kind === 'run_command' ? command.command
    : ended?.type === 'run_ended' ? ended.reason
    : '';
  return { id: pick.remediation, action: pick.action, text };
}

function describe(effects: Effect[]): string {
  const ended = effects.flatMap((e) => (e.kind === 'emit' && e.event.type === 'run_ended' ? [e.event.reason] : []));
  return ended[0] ?? effects.map((e) => e.kind).join(', ');
}

const NO_COMMANDS = {
  run(): never {
    throw new Error('parse runs nothing');
  },
};
