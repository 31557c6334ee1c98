import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { Event, EventOf } from '../events/schema.js';
import { playbookMatcher } from './match-rules.js';
import { loadPlaybook } from '../playbook/load.js';
import { packageRoot } from '../package-root.js';
import { resolveVariables } from '../playbook/variables.js';
import { compiled } from '../playbook/compile.js';
import { InputError } from '../errors.js';
import { Runner } from '../runner/runner.js';
import { EventBus } from '../runs/bus.js';
import { readEventLog } from '../runs/log.js';
import { Redactor } from '../runs/redact.js';
import { LabpilotError, RunInterrupted } from '../errors.js';
import { indexRecording } from './recording.js';
import { RecordedAgent, RecordingExhausted, ReplayClock, noGit, recordedChecks, recordedCommands, recordedDecider } from './recorded-ports.js';
import { TraceBuilder, traceOf, type TraceItem } from './trace.js';
import { diffTraces, type Difference } from './diff.js';

export interface ReplayRunOptions {
  /** The run's events.jsonl. */
  log: string;
  /** The run's commands/ folder (beside the log by default). */
  commandsDir: string;
  /** A playbook to try instead of the recorded one. */
  playbook?: string;
}

export interface ReplayRunResult {
  runId: string;
  playbookPath: string;
  /** The playbook the run used. */
  recordedPlaybook: string;
  /** The playbook (or a prompt file it names) differs from the one the run used. */
  playbookChanged: boolean;
  recorded: TraceItem[];
  replayed: TraceItem[];
  differences: Difference[];
  /** Why the replay stopped before the engine ended it (it asked for what was never recorded). */
  stopped?: string;
  /** The recorded log ended in a torn line, which was skipped. */
  tornTail: boolean;
  /** The replay's own events, as its bus emitted them (what `replay --step` walks through). */
  events: Event[];
}

/**
 * Runs a playbook again on a run's recorded answers: the same engine and runner as a live run,
 * with ports that read the agent's turns, the commands' output and exit codes, the decisions and
 * the file checks back from the recording. Returns both decision traces and where they differ.
 */
/** An input error about the run's values, placed at the log line that holds them. */
function locatedAt<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError && err.where === undefined) throw new InputError(`run_started: ${err.message}`, where);
    throw err;
  }
}

export async function replayRun(o: ReplayRunOptions): Promise<ReplayRunResult> {
  const { events, tornTail } = await readEventLog(o.log);
  const rec = indexRecording(events, o.log);
  const started = rec.started;
  const loaded = await loadPlaybook(o.playbook ?? started.playbookPath);
  const pb = loaded.playbook;
  // The run's values for the variables this playbook still declares; new ones take their default.
  const declared = Object.keys(pb.variables ?? {});
  const vars = locatedAt(`${o.log}:${started.seq + 1}`, () => resolveVariables(pb, Object.fromEntries(Object.entries(started.vars).filter(([k]) => declared.includes(k)))));
  const engine = new Engine(compiled(pb, loaded.prompts, vars));

  const clock = new ReplayClock(started.ts);
  const bus = new EventBus(clock, new Redactor({}));
  const trace = new TraceBuilder();
  const replayed: Event[] = [];
  bus.subscribe((e) => {
    trace.add(e);
    replayed.push(e);
  });
  const agent = new RecordedAgent(rec, clock);
  agent.sink = bus;
  // The runner writes each command's log; the recorded logs stay untouched.
  const scratch = mkdtempSync(join(tmpdir(), 'labpilot-replay-'));
  const runner = new Runner({
    runId: started.runId,
    engine,
    bus,
    agent,
    commands: recordedCommands(rec, o.commandsDir, o.log, clock),
    git: noGit,
    decider: recordedDecider(rec),
    matcher: playbookMatcher(pb),
    workspace: started.workspace,
    branch: started.branch,
    commandsDir: scratch,
    scriptDirs: [loaded.dir, join(packageRoot(), 'python')],
    evaluate: recordedChecks(rec),
  });
  let stopped: string | undefined;
  try {
    bus.emit({ ...runStarted(started), playbook: pb.name, playbookPath: loaded.path, playbookHash: loaded.hash, vars, mode: 'replay' });
    await runner.drive();
  } catch (err) {
    if (!(err instanceof RecordingExhausted || err instanceof RunInterrupted)) throw err;
    stopped = err instanceof RunInterrupted ? err.message.replace(/ \(resume with: .*\)$/, '') : (err as LabpilotError).message;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const recorded = traceOf(events);
  return {
    runId: started.runId,
    playbookPath: loaded.path,
    recordedPlaybook: started.playbookPath,
    playbookChanged: loaded.hash !== started.playbookHash,
    recorded,
    replayed: trace.items,
    differences: diffTraces(recorded, trace.items),
    stopped,
    tornTail,
    events: replayed,
  };
}

function runStarted(e: EventOf<'run_started'>) {
  const { seq: _seq, ts: _ts, ...rest } = e;
  return rest;
}
