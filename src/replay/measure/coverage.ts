import type { CompiledPlaybook, EngineContext, TriggerHit } from '../../engine/context.js';
import { initialContext } from '../../engine/context.js';
import { templateVars } from '../../engine/logic.js';
import type { Matcher } from '../../engine/matcher.js';
import { chooseRemediation, remediationVars } from '../../engine/remediate.js';
import { thenTemplate } from '../../engine/remediation-action.js';
import { failureSignature } from '../../engine/signature.js';
import { excerptLines } from '../../engine/excerpt.js';
import type { Source } from '../../events/schema.js';
import { renderTemplate } from '../../playbook/template.js';
import { createMetricsCollector } from '../../runner/metrics.js';
import { reportTriggers } from '../../runner/trigger-scan.js';
import { normaliseText } from '../../output/normaliser.js';
import { EventBus, systemClock } from '../../runs/bus.js';
import { Redactor } from '../../runs/redact.js';
import type { ImportedEvent } from '../import/emitter.js';
import { StepGuesser } from './steps.js';
import { COVERED_AT, saysWhatPersonSaid } from './similarity.js';

export interface CoveragePoint {
  index: number;
  /** Line of the transcript where the person answered (or where it ended). */
  line: number;
  step: string;
  triggers: TriggerHit[];
  /** The remediation the playbook would have sent here. */
  remediation?: { rule: string; why: string; text: string };
  /** Share of the person's follow-up that the remediation's text says too (saysWhatPersonSaid). */
  similarity?: number;
  /** What the person sent next; undefined when they sent nothing (the transcript ended). */
  followUp?: string;
  /**
   * covered: a rule fired and its text says what the person said next; missed: the person
   * followed up where no rule fired, or a rule would have said something else; unanswered: a rule fired and the person moved on or stopped; step: the person
   * moved to a step with nothing to remediate.
   */
  verdict: 'covered' | 'missed' | 'unanswered' | 'step';
  /** The evidence a new rule could match, for a missed follow-up. */
  evidence?: { line: string; source: Source };
}

const FAILURES_KEPT = 10;
const ERRORISH = /error|exception|traceback|failed|failure|fatal|denied|not found|no such|cannot|unable|killed|timed? ?out/i;

/**
 * Measures another agent's session against a playbook, point by point: a point is the agent's
 * work between two prompts of the person. The playbook's own choice (the engine's
 * chooseRemediation on the hits, the stage figures and the failure history) is compared with
 * what the person did next. Events are consumed as they stream; only the current point is held.
 */
export class Coverage {
  private readonly guess: StepGuesser;
  private ctx: EngineContext;
  private step: string;
  private index = 0;
  private started = false;
  private reported = new Set<string>();
  private evidence: { line: string; source: Source } | undefined;
  private lastSaid: string | undefined;
  /** Shell calls still waiting for their result, with the run step their command is. */
  private readonly calls = new Map<string, string | undefined>();
  /** Where the live runner's trigger scan reports this point's hits (redacted, as in a run's log). */
  private readonly triggers = new EventBus(systemClock, new Redactor({}));

  constructor(
    private readonly pb: CompiledPlaybook,
    private readonly matcher: Matcher,
  ) {
    this.guess = new StepGuesser(pb);
    this.step = pb.playbook.steps[0]?.id ?? '';
    this.ctx = initialContext();
    this.triggers.subscribe((e) => {
      if (e.type === 'trigger_matched') this.ctx = { ...this.ctx, hits: [...this.ctx.hits, { remediation: e.remediation, source: e.source, line: e.line, groups: e.groups }] };
    });
  }

  /** Feeds one event; returns the point it closed, if any. */
  feed({ event: e, line, sidechain }: ImportedEvent): CoveragePoint | undefined {
    switch (e.type) {
      case 'prompt_sent':
        return this.prompt(e.text, line);
      case 'agent_text':
        if (!sidechain) this.lastSaid = e.text;
        this.scan(e.text, 'agent_text');
        return undefined;
      case 'tool_call':
        if (e.name === 'bash') {
          const run = this.guess.fromCommand(String(e.input.command ?? ''));
          if (run) this.step = run;
          this.calls.set(e.callId, run);
        }
        return undefined;
      case 'tool_result':
        if (this.calls.has(e.callId)) this.result(e.callId, e.output, e.isError);
        return undefined;
      default:
        return undefined;
    }
  }

  /** The transcript ended: the last point closes with no answer from the person. */
  end(line: number): CoveragePoint | undefined {
    return this.started ? this.close(undefined, line) : undefined;
  }

  private prompt(text: string, line: number): CoveragePoint | undefined {
    if (!this.started) {
      this.started = true;
      this.enter(this.guess.fromPrompt(text)?.step ?? this.step);
      return undefined;
    }
    return this.close(text, line);
  }

  private close(followUp: string | undefined, line: number): CoveragePoint {
    const step = this.step;
    // As in the live engine, this attempt's failure joins the history before a rule is chosen,
    // so `repeated: N` counts it; the signature is the live engine's.
    const failed = this.ctx.lastCommand?.exitCode ? this.ctx.lastCommand.tail : [];
    if (this.ctx.hits.length > 0 || failed.length > 0) {
      const seen = [...(this.ctx.failures[step] ?? []), failureSignature({ tail: failed, hits: this.ctx.hits })].slice(-FAILURES_KEPT);
      this.ctx = { ...this.ctx, failures: { ...this.ctx.failures, [step]: seen } };
    }
    const chosen = chooseRemediation(this.pb, this.ctx, step);
    const point: CoveragePoint = { index: ++this.index, line, step, triggers: this.ctx.hits, followUp, verdict: 'missed' };
    if (chosen) point.remediation = { rule: chosen.rule.id, why: chosen.why, text: this.render(chosen.rule.id, chosen.hit) };
    const next = followUp === undefined ? undefined : this.guess.fromPrompt(followUp, step);
    if (chosen && followUp !== undefined) point.similarity = saysWhatPersonSaid(point.remediation!.text, followUp);
    if (chosen) point.verdict = followUp === undefined || (next && next.step !== step) ? 'unanswered' : point.similarity! >= COVERED_AT ? 'covered' : 'missed';
    else point.verdict = next ? 'step' : followUp === undefined ? 'step' : 'missed';
    if (point.verdict === 'missed') point.evidence = this.evidence ?? (this.lastSaid ? { line: lastLine(this.lastSaid), source: 'agent_text' } : undefined);
    if (chosen && point.verdict === 'covered') {
      const key = `${chosen.rule.id}@${step}`;
      this.ctx = { ...this.ctx, ruleAttempts: { ...this.ctx.ruleAttempts, [key]: (this.ctx.ruleAttempts[key] ?? 0) + 1 } };
    }
    if (next && next.step !== step) this.enter(next.step);
    this.ctx = { ...this.ctx, hits: [], lastCommand: null };
    this.reported = new Set();
    this.evidence = undefined;
    this.lastSaid = undefined;
    return point;
  }

  private enter(step: string): void {
    this.step = step;
    this.ctx = { ...this.ctx, attempts: { ...this.ctx.attempts, [step]: (this.ctx.attempts[step] ?? 0) + 1 } };
  }

  private result(callId: string, output: string, isError: boolean): void {
    const run = this.calls.get(callId);
    this.calls.delete(callId);
    // The stage command the playbook would run itself: its output is command output, its figures count.
    const source: Source = run ? 'command_output' : 'tool_output';
    const spec = run ? this.pb.playbook.steps.find((s) => s.id === run) : undefined;
    const metrics = createMetricsCollector(spec?.kind === 'run' ? (spec.metrics ?? []) : []);
    // The lines the live runner reads from a tool result: escape codes and redraws resolved.
    for (const l of normaliseText(output)) {
      this.scanLine(l, source);
      metrics.line(l);
    }
    // The excerpt the live engine would have: remediation prompts and signatures agree.
    const tail = excerptLines(output);
    if (!run || spec?.kind !== 'run') return;
    const exitCode = commandExitOf(output, isError);
    this.ctx = { ...this.ctx, metrics: { ...this.ctx.metrics, [run]: metrics.values(spec.derive ?? {}) }, lastCommand: { commandId: callId, exitCode, tail } };
  }

  private scan(text: string, source: Source): void {
    for (const l of text.split('\n')) this.scanLine(l, source);
  }

  private scanLine(line: string, source: Source): void {
    if (source !== 'agent_text' && ERRORISH.test(line)) this.evidence = { line: line.trim(), source };
    reportTriggers({ pb: this.pb, matcher: this.matcher, bus: this.triggers, reported: this.reported }, this.step, line, source);
  }

  private render(ruleId: string, hit: TriggerHit | undefined): string {
    const rule = this.pb.playbook.remediations!.find((r) => r.id === ruleId)!;
    const template = thenTemplate(this.pb, rule.then);
    const step = this.pb.playbook.steps.find((s) => s.id === this.step)!;
    try {
      return renderTemplate(template, { ...templateVars(this.pb, this.ctx, step), ...remediationVars(this.ctx, ruleId, hit) });
    } catch {
      return template;
    }
  }
}

/** Codex writes `Exit code: n`; Claude Code marks a failed command as an error result. */
function commandExitOf(output: string, isError: boolean): number {
  const m = /^Exit code:? (\d+)/m.exec(output);
  return m ? Number(m[1]) : isError ? 1 : 0;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').at(-1)?.trim() ?? '';
}
