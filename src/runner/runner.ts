import { dirname, join, resolve } from 'node:path';
import type { Engine, EngineSnapshot } from '../engine/engine.js';
import type { Effect, RunCommandEffect } from '../engine/effects.js';
import type { EngineContext } from '../engine/context.js';
import type { LineMatch, Matcher } from '../engine/matcher.js';
import { evalExpr, parseExpr } from '../engine/expr.js';
import type { Event, Source } from '../events/schema.js';
import type { Agent, AgentTurnRequest, AgentTurnResult, CommandRunner, Decider, Git } from '../ports.js';
import type { EventBus } from '../runs/bus.js';
import { recordCommand } from '../runs/stale-commands.js';
import { RunInterrupted, messageOf } from '../errors.js';
import type { CheckContext, CheckOutcome } from './checks.js';
import { judgeGate } from './judge-gate.js';
import type { Check } from '../playbook/schema.js';
import { createMetricsCollector } from './metrics.js';
import { stageStopper } from '../results/live-stop.js';
import { normaliseText, openCommandOutput } from '../output/streams.js';
import { commandExcerpt } from './command-excerpt.js';
import { reportTriggers } from './trigger-scan.js';
import { appendTurn } from '../agent/tool-loop.js';
import { refusedExit, StageEvidence } from '../evidence/stage-evidence.js';
import type { TreeVerdict, EvidenceOutcome } from '../evidence/index.js';

/** Tools whose result is a command's output, scanned as `tool_output` (Claude Code's is `Bash`). */
const OUTPUT_TOOLS = new Set(['bash', 'Bash']);

export interface RunnerOptions {
  runId: string;
  engine: Engine;
  bus: EventBus;
  agent: Agent;
  commands: CommandRunner;
  git: Git;
  decider: Decider;
  matcher: Matcher;
  workspace: string;
  branch: string;
  commandsDir: string;
  scriptDirs: string[];
  env?: Record<string, string>;
  /** The prompt of the turn a killed run was in: continued from the log, not sent again. */
  openPrompt?: string;
  /** The commit the workspace was made at, when the run resumes (a new run learns it from `workspace_ready`). */
  pristine?: string;
  /** The reviewer model, when one is configured: answers a `reviewer` gate. */
  review?: (rubric: string, diff: string) => Promise<EvidenceOutcome>;
  /** Judges one check; replay answers the checks that read the world from the recording. */
  evaluate?: (check: Check, ctx: CheckContext, gate: { scope: 'step' | 'checklist'; step?: string; name: string }) => Promise<CheckOutcome>;
}

/**
 * Executes the engine's effects through the ports, one at a time, and feeds every event on the
 * bus back into the engine. The runner decides nothing: it does what the effects say.
 */
export class Runner {
  private snapshot: EngineSnapshot;
  private readonly queue: Effect[] = [];
  private abort = new AbortController();
  private stopped = false;
  /** Rules already reported during the current action: one trigger event per rule is enough. */
  private reported = new Set<string>();
  /** Calls of command-running tools whose result is still to come. */
  private outputCalls = new Set<string>();
  /** The person's own prompts, sent as turns of their own before the next effect. */
  private readonly asides: string[] = [];
  /** The trees commands ran on and the results cross-checks: what the evidence gates read. */
  private readonly evidence: StageEvidence;

  constructor(
    private readonly o: RunnerOptions,
    from?: EngineSnapshot,
  ) {
    this.snapshot = from ?? o.engine.initial();
    // A replay judges the recorded trees (its checks come from the recording): it assembles none.
    this.evidence = new StageEvidence(o.engine.playbook.playbook, o.engine.playbook.vars, o.workspace, o.bus, o.pristine, o.review, !o.evaluate);
    o.bus.subscribe((event) => this.feed(event));
  }

  get context(): EngineContext {
    return this.snapshot.context;
  }

  /** Runs effects until the engine ends the run or the runner is stopped (then resumable). */
  async drive(): Promise<EngineContext['verdict']> {
    while (this.queue.length > 0 && !this.stopped) {
      await this.sendAsides();
      if (this.stopped) break;
      await this.execute(this.queue.shift()!);
    }
    if (this.stopped && !this.context.verdict) throw new RunInterrupted('run stopped', this.o.runId);
    return this.context.verdict;
  }

  /** Ends the current action (agent turn or command) and stops after it; the log stays resumable. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /**
   * A prompt the person types at any time. It is sent as a turn of its own once the current
   * action ends, before the engine's next effect; the engine does not wait on it and judges the
   * step on its own checks as ever, but its tokens and dollars count against the budgets.
   */
  say(text: string): void {
    if (text.trim() !== '') this.asides.push(text);
  }

  private async sendAsides(): Promise<void> {
    while (this.asides.length > 0 && !this.stopped) {
      const step = this.o.engine.playbook.playbook.steps[this.context.stepIndex]?.id ?? 'run';
      // Named by the turn it becomes, which the log keeps counting across a resume.
      await this.sendPrompt({ kind: 'send_prompt', promptId: `u${this.context.spent.turns + 1}`, step, text: this.asides.shift()! });
    }
  }

  /** Interrupts only the current action (Esc): the engine judges what was done so far. */
  interrupt(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  private feed(event: Event): void {
    const r = this.o.engine.next(this.snapshot, event);
    this.snapshot = r.snapshot;
    this.queue.push(...r.effects);
    if (event.type === 'workspace_ready') this.evidence.pristine ??= event.head;
    if (event.type === 'agent_text') for (const line of event.text.split('\n')) this.scanLine(line, 'agent_text');
    if (event.type === 'tool_call' && OUTPUT_TOOLS.has(event.name)) this.outputCalls.add(event.callId);
    // Only what a command printed is evidence of a failure; a file the agent reads (a guide
    // quoting error texts, a script that mentions weights_only) is not.
    if (event.type === 'tool_result' && this.outputCalls.delete(event.callId)) for (const line of normaliseText(event.output)) this.scanLine(line, 'tool_output');
  }

  /** Reports the rules the line triggers, once per rule (and per value of a fanned-out step). */
  private scanLine(line: string, source: Source, item?: string, matches?: readonly LineMatch[]): void {
    const step = this.o.engine.playbook.playbook.steps[this.context.stepIndex]?.id;
    if (step !== undefined) reportTriggers({ pb: this.o.engine.playbook, matcher: this.o.matcher, bus: this.o.bus, reported: this.reported }, step, line, source, item, matches);
  }

  private async execute(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'emit':
        this.o.bus.emit(effect.event);
        return;
      case 'decide':
        return this.decide(effect);
      case 'send_prompt':
        return this.sendPrompt(effect);
      case 'run_command':
        this.reported.clear();
        return this.runCommand(effect);
      case 'run_commands':
        this.reported.clear();
        return this.runAll(effect);
      case 'run_checks':
        return this.runChecks(effect);
    }
  }

  private async decide(effect: Effect & { kind: 'decide' }): Promise<void> {
    const q = effect.question;
    // Nobody is there to take over: stop cleanly; resuming asks again (a person, if one is there).
    if (q.kind === 'ask' && q.escalate && this.o.decider.mode === 'autopilot') {
      this.o.bus.emit({ type: 'notice', level: 'warn', message: `a person is needed: ${q.text}` });
      throw new RunInterrupted(`stopped for a person: ${q.text}`, this.o.runId);
    }
    const d = await this.o.decider.decide(q);
    this.o.bus.emit({
      type: 'decision',
      subject: q.kind === 'prompt' ? 'prompt' : 'ask',
      ref: q.kind === 'prompt' ? q.promptId : q.ref,
      verdict: d.verdict,
      text: d.text,
      by: d.by,
      reason: d.reason,
    });
  }

  private async sendPrompt(effect: Effect & { kind: 'send_prompt' }): Promise<void> {
    this.reported.clear();
    const continued = effect.promptId === this.o.openPrompt;
    this.o.openPrompt = undefined;
    if (!continued) this.o.bus.emit({ type: 'prompt_sent', promptId: effect.promptId, step: effect.step, text: effect.text });
    let result;
    try {
      result = await this.pull({ promptId: effect.promptId, text: effect.text, signal: this.abort.signal });
    } catch (err) {
      if (this.stopped) return;
      this.o.bus.emit({ type: 'notice', level: 'error', message: `agent turn failed: ${messageOf(err)}` });
      throw new RunInterrupted(`agent turn failed: ${messageOf(err)}`, this.o.runId);
    }
    const commit = await this.o.git.commitAll(this.o.workspace, `labpilot: ${effect.step} (${effect.promptId})`);
    if (commit) this.o.bus.emit({ type: 'commit_made', sha: commit.sha, branch: this.o.branch, message: `labpilot: ${effect.step} (${effect.promptId})`, files: commit.files });
    if (this.stopped) return;
    this.o.bus.emit({
      type: 'agent_turn_ended',
      turn: this.context.spent.turns + 1,
      promptId: effect.promptId,
      stopReason: result.stopReason,
      usage: result.usage,
      costUsd: result.costUsd,
      filesChanged: commit !== undefined,
    });
  }

  /**
   * An agent turn, its events pulled one at a time: each is appended and read (a trigger on a
   * tool's output is reported) before the agent goes on to the next.
   */
  private pull(req: AgentTurnRequest): Promise<AgentTurnResult> {
    return this.o.agent.run ? appendTurn(this.o.agent.run(req), this.o.bus) : this.o.agent.turn(req);
  }

  /** A fanned-out step's commands, all at once; each answers with its own command_exited. */
  private async runAll(effect: Effect & { kind: 'run_commands' }): Promise<void> {
    // One tree for all of them, assembled before any starts: they run the same code, and start in order.
    const tree = effect.runs[0] && (await this.evidence.assemble(effect.runs[0].step, effect.runs.map((r) => r.commandId).join(',')));
    const settled = await Promise.allSettled(effect.runs.map((run) => this.runCommand(run, tree)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async runCommand(effect: RunCommandEffect, assembled?: TreeVerdict): Promise<void> {
    const cwd = resolve(this.o.workspace, effect.cwd);
    const { item } = effect;
    const vars = { ...this.o.engine.playbook.vars, ...effect.bind };
    const tree = assembled ?? (await this.evidence.assemble(effect.step, effect.commandId));
    if (tree && tree.refused.length > 0) return this.refuse(effect, tree);
    this.o.bus.emit({ type: 'command_started', commandId: effect.commandId, step: effect.step, command: effect.command, cwd, ...(item !== undefined && { item }) });
    const metrics = createMetricsCollector(effect.metrics);
    const stopWhen = effect.stopWhen ? parseExpr(effect.stopWhen) : undefined;
    const spec = this.o.engine.playbook.playbook.steps.find((s) => s.id === effect.step);
    const stopper = spec?.kind === 'run' && spec.early_stop ? stageStopper(spec.early_stop, vars) : undefined;
    const early = new AbortController();
    const logFile = join(this.o.commandsDir, `${effect.commandId}.log`);
    const output = openCommandOutput(logFile, this.o.engine.playbook.playbook.output, (line, stream) => {
      this.o.bus.emit({ type: 'command_output', commandId: effect.commandId, stream, line });
      const updated = metrics.line(line);
      if (updated.length > 0 && (stopWhen || stopper) && !early.signal.aborted) {
        const values = metrics.values(effect.derive);
        const r = stopWhen && evalExpr(stopWhen, values);
        const why = r && r.ok && r.value === true ? effect.stopWhen : stopper?.(values, updated)?.evidence;
        if (why) {
          this.o.bus.emit({ type: 'notice', level: 'warn', message: `stopping ${effect.commandId} early: ${why}` });
          early.abort();
        }
      }
    }, { matcher: this.o.matcher, onTrigger: (line, matches) => this.scanLine(line, 'command_output', item, matches) });
    const signal = AbortSignal.any([this.abort.signal, early.signal]);
    let forget: (() => void) | undefined;
    const onSpawn = (pid: number) => (forget = recordCommand(this.o.commandsDir, effect.commandId, pid));
    let result;
    try {
      // Python keeps its bytecode under a prefix of its own, so no __pycache__ in the workspace is loaded.
      const env = { ...this.o.env, PYTHONPYCACHEPREFIX: join(dirname(this.o.commandsDir), 'pycache') };
      result = await this.o.commands.run({ commandId: effect.commandId, command: effect.command, cwd, timeoutMs: effect.timeoutMs, env, onChunk: output.push, onSpawn, signal });
      output.end();
    } finally {
      output.close();
      forget?.();
    }
    if (this.stopped) return;
    if (spec?.kind === 'run' && spec.results) {
      // Before command_exited: the engine moves on to the gates as soon as it sees the exit.
      const request = { commandId: effect.commandId, spec: spec.results, vars, logFile, dir: join(dirname(this.o.commandsDir), 'results'), cwd };
      await this.evidence.crossCheck({ ...request, commands: this.o.commands, env: this.o.env, signal: this.abort.signal });
      if (this.stopped) return;
    }
    // What prompts quote and signatures come from: the cut that keeps the root cause.
    const excerpt = commandExcerpt(logFile, this.o.engine.playbook.playbook.output);
    if (result.timedOut) excerpt.push(`labpilot: command timed out after ${effect.timeoutMs} ms`);
    this.o.bus.emit({
      type: 'command_exited',
      commandId: effect.commandId,
      step: effect.step,
      ...(item !== undefined && { item }),
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      metrics: metrics.values(effect.derive),
      tail: excerpt,
      ...(tree && { tree: tree.hash }),
    });
  }

  /** A command whose tree holds changes outside the editable parts does not run; its gates say why. */
  private refuse(effect: RunCommandEffect, tree: TreeVerdict): void {
    this.o.bus.emit({ type: 'notice', level: 'warn', message: `${effect.commandId} not run: ${tree.refused.join('; ')}` });
    this.o.bus.emit(refusedExit(effect, tree));
  }

  private async runChecks(effect: Effect & { kind: 'run_checks' }): Promise<void> {
    for (const gate of effect.checks) {
      const outcome = await judgeGate(this.o, effect, gate, this.evidence.forGate(gate.commandId ?? effect.commandId, this.context.trees));
      if (this.stopped) return;
      this.o.bus.emit({ type: 'gate_judged', scope: effect.scope, step: effect.step, check: gate.name, passed: outcome.passed, detail: outcome.detail });
    }
  }
}
