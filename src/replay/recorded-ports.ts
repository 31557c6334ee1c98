import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLineSplitter } from '../engine/line-splitter.js';
import { createInterface } from 'node:readline';
import type { Agent, AgentTurnRequest, AgentTurnResult, Clock, CommandRequest, CommandResult, CommandRunner, Decider, Decision, EventSink, Git, Question } from '../ports.js';
import type { Check } from '../playbook/schema.js';
import { evaluateCheck, type CheckContext, type CheckOutcome } from '../runner/checks.js';
import { LabpilotError } from '../errors.js';
import type { Event, EventInput } from '../events/schema.js';
import { gateKey, type Recording } from './recording.js';

/**
 * The ports of a replay: every answer the world gave is read back from the recording, so a
 * playbook runs again with no model, no GPU and no network. The engine and the runner are the
 * ones a live run uses; only who answers differs.
 */

/** The replay asked for something the recording does not hold: the runs have parted ways. */
export class RecordingExhausted extends LabpilotError {
  constructor(message: string) {
    super(`not in the recording: ${message}`, 1);
  }
}

/** Time as the recording saw it, moved by the recorded ports as they play events back. */
export class ReplayClock implements Clock {
  private t: number;
  constructor(start: string) {
    this.t = Date.parse(start);
  }
  now(): number {
    return this.t;
  }
  at(ts: string): void {
    const t = Date.parse(ts);
    if (!Number.isNaN(t)) this.t = Math.max(this.t, t);
  }
}

const strip = (e: Event): EventInput => {
  const { seq: _seq, ts: _ts, ...rest } = e;
  return rest as EventInput;
};

/** Re-emits the events of the recorded turn for the Nth prompt sent, whatever it says. */
export class RecordedAgent implements Agent {
  readonly name = 'recorded';
  readonly model: string;
  private next = 0;
  sink?: EventSink;

  constructor(
    private readonly rec: Recording,
    private readonly clock: ReplayClock,
  ) {
    this.model = rec.started.model;
  }

  async turn(req: AgentTurnRequest): Promise<AgentTurnResult> {
    const turn = this.rec.turns[this.next++];
    if (!turn) throw new RecordingExhausted(`the run sent ${this.rec.turns.length} prompt(s); the replay sends a prompt ${req.promptId} past them`);
    let text = '';
    for (const e of turn.events) {
      if (req.signal?.aborted) break;
      this.clock.at(e.ts);
      this.sink?.emit(strip(e));
      if (e.type === 'agent_text') text = e.text;
    }
    this.clock.at(turn.ended.ts);
    return { stopReason: turn.ended.stopReason, usage: turn.ended.usage, costUsd: turn.ended.costUsd, text };
  }
}

/** Streams `commands/<id>.log` (or the log's output events) and returns the recorded exit. */
export function recordedCommands(rec: Recording, commandsDir: string, logPath: string, clock: ReplayClock): CommandRunner {
  return {
    async run(req: CommandRequest): Promise<CommandResult> {
      const cmd = rec.commands.get(req.commandId);
      if (!cmd) throw new RecordingExhausted(`no command ${req.commandId} (\`${req.command}\`) was run`);
      const file = join(commandsDir, `${req.commandId}.log`);
      if (existsSync(file)) {
        await replayRawLog(file, req);
      } else {
        await replayOutputEvents(logPath, req);
      }
      const x = cmd.exited;
      clock.at(x.ts);
      const timedOut = x.tail.some((l) => l.startsWith('labpilot: command timed out after'));
      return { exitCode: x.exitCode, signal: x.signal, durationMs: x.durationMs, timedOut };
    },
  };
}

/** The command's raw log, chunk by chunk as a pipe would deliver it (redraws included). */
async function replayRawLog(file: string, req: CommandRequest): Promise<void> {
  const lines = createLineSplitter((line) => req.onLine?.(line, 'stdout'));
  for await (const chunk of createReadStream(file)) {
    if (req.signal?.aborted) return;
    if (req.onChunk) req.onChunk(chunk as Buffer, 'stdout');
    else lines.push(chunk as Buffer);
  }
  lines.end();
}

/** A run without command logs: the output lines its events recorded. */
async function replayOutputEvents(logPath: string, req: CommandRequest): Promise<void> {
  const rl = createInterface({ input: createReadStream(logPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    if (req.signal?.aborted) break;
    if (line.includes('"command_output"')) {
      const e = JSON.parse(line) as Event;
      if (e.type === 'command_output' && e.commandId === req.commandId) {
        if (req.onChunk) req.onChunk(Buffer.from(`${e.line}\n`), e.stream);
        else req.onLine?.(e.line, e.stream);
      }
    }
  }
  rl.close();
}

/** The recorded answer to each question, by its id (p1, a1, ...): who decided is kept in `reason`. */
export function recordedDecider(rec: Recording): Decider {
  return {
    mode: 'replay',
    async decide(q: Question): Promise<Decision> {
      const ref = q.kind === 'prompt' ? q.promptId : q.ref;
      const d = rec.decisions.get(ref);
      if (!d) return { verdict: 'approve', by: 'recorded', reason: 'not in the recording: approved' };
      return { verdict: d.verdict, text: d.text, by: 'recorded', reason: `recorded (${d.by})` };
    },
  };
}

/** Nothing is committed in a replay: the workspace is the recorded run's, not ours to change. */
export const noGit: Git = {
  clone: async () => undefined,
  ensureRepo: async () => undefined,
  commitAll: async () => undefined,
  push: async () => false,
};

/** Checks on figures and exit codes are judged again; checks on files and scripts are recorded. */
const PURE = new Set<Check['check']>(['metric', 'exit_code', 'agree']);

export function recordedChecks(rec: Recording) {
  const used = new Map<string, number>();
  return async (check: Check, ctx: CheckContext, gate: { scope: string; step?: string; name: string }): Promise<CheckOutcome> => {
    if (PURE.has(check.check) || (check.check === 'output_matches' && !check.run)) return evaluateCheck(check, ctx);
    const key = gateKey(gate.scope, gate.step, gate.name);
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const g = rec.gates.get(key)?.[n];
    if (!g) return { passed: false, detail: 'not in the recording: this check was never judged' };
    return { passed: g.passed, detail: g.detail };
  };
}
