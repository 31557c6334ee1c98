import { Engine, type EngineSnapshot } from '../../src/engine/engine.js';
import type { Effect, RunCommandEffect } from '../../src/engine/effects.js';
import type { Event, EventInput } from '../../src/events/schema.js';

/**
 * Drives the pure engine without ports: `respond` plays the world (decider, agent, commands,
 * checks) by turning each effect into the events a runner would append. Used by engine tests and
 * the fold benchmark; integration tests use the real runner instead.
 */
export type Responder = (effect: Effect, ctx: EngineSnapshot['context']) => EventInput[];

export function simulate(engine: Engine, start: EventInput, respond: Responder, limit = 100_000) {
  const log: Event[] = [];
  let snapshot = engine.initial();
  const queue: EventInput[] = [start];
  let t = Date.parse('2026-01-01T00:00:00Z');
  while (queue.length > 0 && log.length < limit) {
    const event = { ...queue.shift()!, seq: log.length, ts: new Date((t += 1000)).toISOString() } as Event;
    log.push(event);
    const r = engine.next(snapshot, event);
    snapshot = r.snapshot;
    for (const effect of r.effects) {
      if (effect.kind === 'emit') queue.push(effect.event);
      else queue.push(...respond(effect, snapshot.context));
    }
  }
  return { log, snapshot };
}

export const runStarted = (over: Partial<EventInput & { type: 'run_started' }> = {}): EventInput => ({
  type: 'run_started',
  runId: 'r1',
  playbook: 'p',
  playbookPath: '/p.yaml',
  playbookHash: 'h',
  vars: {},
  mode: 'autopilot',
  workspace: '/ws',
  branch: 'labpilot/r1',
  agent: 'anthropic',
  model: 'm',
  ...over,
});

/** A world where the person approves, the agent answers, commands print and exit as told. */
export function world(opts: {
  commandOutput?: (
    command: string,
    n: number,
  ) => CommandOut;
  gate?: (name: string, metrics?: Record<string, number>) => boolean;
}): Responder {
  let commands = 0;
  return (effect) => {
    switch (effect.kind) {
      case 'decide':
        return [
          {
            type: 'decision',
            subject: effect.question.kind === 'prompt' ? 'prompt' : 'ask',
            ref: effect.question.kind === 'prompt' ? effect.question.promptId : effect.question.ref,
            verdict: 'approve',
            by: 'policy',
          },
        ];
      case 'send_prompt':
        return [
          { type: 'prompt_sent', promptId: effect.promptId, step: effect.step, text: effect.text },
          { type: 'agent_text', turn: 1, text: 'done' },
          {
            type: 'agent_turn_ended',
            turn: 1,
            promptId: effect.promptId,
            stopReason: 'end_turn',
            usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
            costUsd: 0.001,
            filesChanged: false,
          },
        ];
      case 'run_command':
        return commandEvents(effect, opts.commandOutput?.(effect.command, ++commands)).flat();
      case 'run_commands': {
        // Parallel runs: all start, their lines interleave, and they exit in reverse order.
        const each = effect.runs.map((run) => commandEvents(run, opts.commandOutput?.(run.command, ++commands)));
        return [...each.map((e) => e[0]), ...each.flatMap((e) => e[1]), ...each.reverse().map((e) => e[2])].flat();
      }
      case 'run_checks':
        return effect.checks.map(
          (c): EventInput => ({
            type: 'gate_judged',
            scope: effect.scope,
            step: effect.step,
            check: c.name,
            passed: c.check.check === 'exit_code' ? (c.exitCode ?? effect.exitCode) === c.check.equals : (opts.gate?.(c.name, c.metrics ?? effect.metrics) ?? true),
            detail: 'simulated',
          }),
        );
      default:
        return [];
    }
  };
}

/** `tail`: the excerpt the runner would report (default: the last five lines). */
type CommandOut = { lines: string[]; exitCode: number; metrics?: Record<string, number>; hits?: string[]; tail?: string[] };

/** What a runner appends for one command: [started], [output and trigger lines], [exited]. */
function commandEvents(effect: RunCommandEffect, out: CommandOut = { lines: [], exitCode: 0 }): [EventInput[], EventInput[], EventInput[]] {
  const item = effect.item === undefined ? {} : { item: effect.item };
  return [
    [{ type: 'command_started', commandId: effect.commandId, step: effect.step, command: effect.command, cwd: '/ws', ...item }],
    [
      ...out.lines.map((line): EventInput => ({ type: 'command_output', commandId: effect.commandId, stream: 'stdout', line })),
      ...(out.hits ?? []).map(
        (remediation): EventInput => ({ type: 'trigger_matched', remediation, step: effect.step, source: 'command_output', line: out.lines[0] ?? '', groups: [], ...item }),
      ),
    ],
    [
      {
        type: 'command_exited',
        commandId: effect.commandId,
        step: effect.step,
        ...item,
        exitCode: out.exitCode,
        signal: null,
        durationMs: 5,
        metrics: out.metrics ?? {},
        tail: out.tail ?? out.lines.slice(-5),
      },
    ],
  ];
}
