import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPlaybook } from '../playbook/load.js';
import { dropTornTail, readEventLog } from '../runs/log.js';
import { RunStore } from '../runs/store.js';
import { stopStaleCommands } from '../runs/stale-commands.js';
import { EnvironmentError, InputError, verdictExitCode } from '../errors.js';
import { conversationOf } from '../runs/conversation.js';
import { prepareWorkspace, reconcileCommits } from '../runs/workspace.js';
import { renderTemplate } from '../playbook/template.js';
import { createGit } from '../runner/git.js';
import type { AppView } from '../ui/launch.js';
import type { EventInput, EventOf } from '../events/schema.js';
import { foldForResume } from '../runs/refold.js';
import { closingView, needsModel, openSession } from './session.js';
import { assertEndpointReady, assertLocalReady } from './preflight.js';
import { endOfRun } from './end-of-run.js';
import { driveToVerdict, summaryOut } from './lifecycle.js';
import { whereResumed } from './resume-words.js';
import { forkFromStep } from './rerun.js';
import { choosePrinter } from './run.js';
import type { Decider } from '../ports.js';

export interface ResumeOptions {
  runId: string;
  json?: boolean;
  verbose?: boolean;
  home?: string;
  decider?: Decider;
  /** The terminal app, when the resumed run is shown in a terminal. */
  view?: AppView;
  out?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** The agent and `modal` are the demo's stand-ins: plain lines say so. */
  standins?: boolean;
  /** A webhook told (Slack-compatible JSON) when a person is needed and when the run ends. */
  notify?: string;
  /** Rerun from this step of a run (ended or not) as a new run, keeping the agent's work. */
  fromStep?: string;
}

/**
 * `labpilot resume <id>`: folds the run's log into the engine's state and continues. What was in
 * flight when the run stopped (a turn, a command, checks, a question) is done again; what had
 * finished is not.
 */
export const resumeCommand = (o: ResumeOptions): Promise<{ code: number; runId: string }> => closingView(o.view, () => resumeRun(o));

async function resumeRun(o: ResumeOptions): Promise<{ code: number; runId: string }> {
  const store = new RunStore(o.home ? resolve(o.home) : undefined);
  const rerun = o.fromStep === undefined ? undefined : `rerun of run ${o.runId} from step ${o.fromStep}, in its workspace with the agent's work kept`;
  if (o.fromStep !== undefined) o = { ...o, runId: await forkFromStep(store, o.runId, o.fromStep), fromStep: undefined };
  const paths = store.find(o.runId);
  if (store.isLive(o.runId)) throw new InputError(`run ${o.runId} is still running (pid ${readFileSync(paths.lock, 'utf8').split(' ')[0]})`);
  const { events, tornTail, chain } = await readEventLog(paths.log);
  if (tornTail) dropTornTail(paths.log);
  const started = events.find((e): e is EventOf<'run_started'> => e.type === 'run_started');
  if (!started) throw new InputError(`run ${o.runId} has no run_started event`, paths.log);
  // An attached run goes on at Claude Code's hooks, not in a labpilot process.
  if (started.agent === 'claude-code-hooks') throw new InputError(`run ${o.runId} is attached to Claude Code: it goes on as Claude works; \`labpilot detach\` ends it`);
  if (!existsSync(started.playbookPath)) throw new InputError(`run ${o.runId}: its playbook ${started.playbookPath} is gone`);
  const loaded = await loadPlaybook(started.playbookPath);
  const ended = events.find((e) => e.type === 'run_ended');
  if (ended?.type === 'run_ended') {
    // Killed after its verdict: the post-run work (report, results commit, push) is done again; it is idempotent.
    const out = summaryOut(o);
    out?.write(`run ${o.runId} had ended (${ended.verdict}: ${ended.reason}); its post-run work is done again (to rerun a step of it: --from-step STEP)\n`);
    await endOfRun({ runId: o.runId, home: o.home, playbook: loaded.playbook, vars: started.vars, verdict: ended.verdict, out, view: o.view });
    return { code: verdictExitCode[ended.verdict], runId: o.runId };
  }
  // A log from before `workspace_ready` was logged had its workspace made once a step began.
  const workspaceMade = events.some((e) => e.type === 'workspace_ready' || e.type === 'step_entered');
  if (workspaceMade && !existsSync(started.workspace)) throw new EnvironmentError(`run ${o.runId}: its workspace ${started.workspace} is gone; it cannot be resumed`);
  o.view?.setPlaybook(loaded.playbook);
  // The same pre-flight as a new run: nothing is redone on a machine that cannot do it.
  const ready = { playbook: loaded.playbook, vars: started.vars, env: o.env ?? process.env, agent: started.agent, needsModel: needsModel(loaded.playbook, o.view?.decider.mode ?? o.decider?.mode ?? 'autopilot') };
  assertLocalReady(ready);
  await assertEndpointReady(ready);
  const unlock = store.lock(o.runId);
  const last = events[events.length - 1]!;
  let unlogged: EventInput[] = [];
  const session = await openSession({
    runId: o.runId,
    paths,
    loaded,
    vars: started.vars,
    workspace: started.workspace,
    branch: started.branch,
    model: started.model,
    agent: started.agent,
    decider: o.view?.decider ?? o.decider,
    printer: o.view ? undefined : choosePrinter(o),
    env: o.env,
    nextSeq: last.seq + 1,
    chain,
    pristine: events.find((e): e is EventOf<'workspace_ready'> => e.type === 'workspace_ready')?.head,
    from: (engine) => {
      const folded = foldForResume(engine, events);
      unlogged = folded.unlogged;
      return folded.snapshot;
    },
    conversation: conversationOf(events),
    // The person's choice at the start holds for the whole run.
    noSandbox: started.sandbox?.enabled === false,
  });
  // The app shows the state folded from the log (step, spent, stages ticked), then what follows.
  o.view?.fold?.(events);
  o.view?.attach(session, o.runId);
  const begin = async () => {
    if (loaded.hash !== started.playbookHash) {
      session.bus.emit({ type: 'notice', level: 'warn', message: `playbook ${started.playbookPath} changed since the run started` });
    }
    session.bus.emit({ type: 'run_resumed', runId: o.runId, fromSeq: last.seq });
    if (rerun) session.bus.emit({ type: 'notice', level: 'info', message: rerun });
    session.bus.emit({ type: 'notice', level: 'info', message: whereResumed(events) });
    for (const e of unlogged) session.bus.emit(e);
    const repo = loaded.playbook.workspace;
    const spec = { repo: repo && { url: renderTemplate(repo.repo, started.vars), ref: repo.ref && renderTemplate(repo.ref, started.vars) }, workspace: started.workspace, branch: started.branch, runDir: paths.dir };
    if (!workspaceMade) await prepareWorkspace(spec, createGit(), session.bus);
    await reconcileCommits(events, started.workspace, started.branch, session.bus);
    // A command of the killed run may still be running; it must not run beside its redo.
    for (const s of await stopStaleCommands(paths.commands)) {
      session.bus.emit(
        s.outcome === 'stopped'
          ? { type: 'notice', level: 'warn', message: `stopped command ${s.commandId} (pid ${s.pid}), left running by the interrupted run` }
          : { type: 'notice', level: 'warn', message: `command ${s.commandId} of the interrupted run may still be running (pid ${s.pid}); it could not be verified, so it was left alone` },
      );
    }
  };
  return driveToVerdict(o, { runId: o.runId, session, playbook: loaded.playbook, vars: started.vars, unlock, started, begin });
}
