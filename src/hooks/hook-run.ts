import { resolve } from 'node:path';
import { loadPlaybook, type LoadedPlaybook } from '../playbook/load.js';
import { dropTornTail, readEventLog } from '../runs/log.js';
import { RunStore, type RunPaths } from '../runs/store.js';
import { openSession, type Session } from '../commands/session.js';
import { EnvironmentError, InputError, RunInterrupted } from '../errors.js';
import type { Effect } from '../engine/effects.js';
import type { EngineContext } from '../engine/context.js';
import type { Event, EventInput, EventOf } from '../events/schema.js';
import type { Agent } from '../ports.js';
import { lockRun } from './lock.js';
import { stopStaleCommands } from '../runs/stale-commands.js';

/** The agent name an attached run records: Claude Code, driven by the person, followed through its hooks. */
export const HOOK_AGENT = 'claude-code-hooks';

/**
 * One hook call's hold on an attached run: the run locked, its log folded into the engine's
 * state (a hook process lives for one call; resuming is folding the log), and the run's usual
 * session (engine, runner, command runner, event log) around it. Prompts are not sent by the
 * runner: it stops where the engine would send one, and the hook hands it to Claude Code.
 */
export interface HookRun {
  id: string;
  home: string;
  paths: RunPaths;
  /** The log as it was when the call began. */
  events: Event[];
  readonly started: EventOf<'run_started'>;
  session: Session;
  readonly context: EngineContext;
  emit(e: EventInput): Event;
  /** Events emitted during this call, in order. */
  emitted: Event[];
  close(): void;
}

/** Claude Code is the agent, and the person drives it: labpilot never starts a turn itself. */
const claudeCodeInHooks: Agent = {
  name: HOOK_AGENT,
  model: 'claude-code',
  turn: () => Promise.reject(new EnvironmentError('an attached run delivers its prompts through Claude Code’s hooks')),
};

export async function openHookRun(home: string, id: string): Promise<HookRun> {
  const store = new RunStore(resolve(home));
  const paths = store.find(id);
  const release = await lockRun(store, id);
  try {
    const { events, tornTail, chain } = await readEventLog(paths.log);
    if (tornTail) dropTornTail(paths.log);
    const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started');
    if (!started) throw new InputError(`run ${id} has no run_started event`, paths.log);
    const loaded = await loadPlaybook(started.playbookPath);
    const session = await openSession({
      ...sessionOptions(id, paths, loaded, started),
      nextSeq: events[events.length - 1]!.seq + 1,
      chain,
      from: (engine) => engine.fold(events),
    });
    return hookRun({ id, home, paths, events, session, release });
  } catch (err) {
    release();
    throw err;
  }
}

/** A new attached run: its run_started is fed to the engine by `advance`, from the initial state. */
export async function createHookRun(home: string, store: RunStore, id: string, loaded: LoadedPlaybook, started: Omit<EventOf<'run_started'>, 'seq' | 'ts'>): Promise<HookRun> {
  const paths = store.create(id);
  const release = await lockRun(store, id);
  const session = await openSession(sessionOptions(id, paths, loaded, started));
  return hookRun({ id, home, paths, events: [], session, release });
}

function sessionOptions(id: string, paths: RunPaths, loaded: LoadedPlaybook, started: Omit<EventOf<'run_started'>, 'seq' | 'ts'>) {
  const { vars, workspace, branch, model, agent } = started;
  return { runId: id, paths, loaded, vars, workspace, branch, model, agent, agentPort: claudeCodeInHooks, noSandbox: started.sandbox?.enabled === false };
}

function hookRun(o: { id: string; home: string; paths: RunPaths; events: Event[]; session: Session; release: () => void }): HookRun {
  const emitted: Event[] = [];
  o.session.bus.subscribe((e) => emitted.push(e));
  return {
    ...o,
    emitted,
    get started() {
      return [...o.events, ...emitted].find((e): e is EventOf<'run_started'> => e.type === 'run_started')!;
    },
    get context() {
      return o.session.runner.context;
    },
    emit: (e) => o.session.bus.emit(e),
    close: () => {
      o.session.close();
      o.release();
    },
  };
}

/** The run is waiting for a prompt to reach the agent. */
export function pendingPrompt(ctx: EngineContext): (Effect & { kind: 'send_prompt' }) | undefined {
  return ctx.pending?.kind === 'send_prompt' && !ctx.verdict ? ctx.pending : undefined;
}

/** The run waits for the person to take over (an `escalate` remediation): the question. */
export function escalation(ctx: EngineContext): { ref: string; text: string } | undefined {
  const p = ctx.pending;
  return p?.kind === 'decide' && p.question.kind === 'ask' && p.question.escalate && !ctx.verdict ? { ref: p.question.ref, text: p.question.text } : undefined;
}

/**
 * Feeds an event (if any) to the engine and carries out its effects, as far as a hook call may:
 * until the engine wants a prompt sent (the hook delivers it), a command started that may not
 * finish within the call (`long`), or the end of the run.
 */
export async function advance(run: HookRun, input: EventInput | 'resume', long?: (e: EventOf<'command_started'>) => boolean): Promise<void> {
  const { runner, bus } = run.session;
  const stopAt = bus.subscribe((e) => {
    if (pendingPrompt(runner.context) || (e.type === 'command_started' && long?.(e))) runner.stop();
  });
  try {
    // Resuming reissues what the engine waits on: checks or a command a hook call left undone.
    if (input !== 'resume') bus.emit(input);
    else if (run.context.pending && !pendingPrompt(run.context)) {
      // A hook call killed mid-command (Claude Code's timeout) may have left it running.
      for (const c of await stopStaleCommands(run.paths.commands)) {
        bus.emit({ type: 'notice', level: 'warn', message: `command ${c.commandId} (pid ${c.pid}) of an interrupted hook call: ${c.outcome}` });
      }
      bus.emit({ type: 'run_resumed', runId: run.id, fromSeq: run.events.at(-1)!.seq });
    }
    await runner.drive();
  } catch (err) {
    if (!(err instanceof RunInterrupted)) throw err;
  } finally {
    stopAt();
  }
}

/** The log as it stands: what was read plus what this call appended. */
export const allEvents = (run: HookRun): Event[] => [...run.events, ...run.emitted];
