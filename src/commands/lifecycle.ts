import { ExitCode, RunInterrupted, verdictExitCode } from '../errors.js';
import type { Event } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import type { AppView } from '../ui/launch.js';
import { endOfRun } from './end-of-run.js';
import { notifyOn } from './notify.js';
import type { Session } from './session.js';

/** How a run is shown: plain lines go to `out` unless the app or `--json` shows it. */
export interface Shown {
  json?: boolean;
  view?: AppView;
  out?: NodeJS.WritableStream;
  home?: string;
  notify?: string;
}

/** Where the summary after the verdict goes: plain output only. */
export const summaryOut = (o: Shown): NodeJS.WritableStream | undefined => (o.json || o.view ? undefined : (o.out ?? process.stdout));

export interface Lifecycle {
  runId: string;
  session: Session;
  playbook: Playbook;
  vars: Record<string, string>;
  /** Releases the run's lock. */
  unlock: () => void;
  /** A resumed run's `run_started`, for the webhook: it is in the log, not on the bus. */
  started?: Event;
  /** What the run logs before the runner drives it (its start, the workspace). */
  begin: () => Promise<void>;
  /** After the summary: more plain lines. */
  afterSummary?: (out: NodeJS.WritableStream | undefined) => void;
}

/**
 * A new run and a resumed one alike, once the session is open: SIGINT and SIGTERM stop the
 * runner (and cancel a question the app is asking), the run begins, the runner drives it to a
 * verdict, the post-run work and the summary follow, the webhook is told; the signal handlers,
 * the session and the lock are released however it ends. Returns the verdict's exit code.
 */
export async function driveToVerdict(o: Shown, l: Lifecycle): Promise<{ code: number; runId: string }> {
  const notified = notifyOn(l.session.bus, o, l.started);
  const stop = () => {
    l.session.runner.stop();
    o.view?.decider.cancel(new RunInterrupted('run stopped by a signal', l.runId));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await l.begin();
    const verdict = await l.session.runner.drive();
    const out = summaryOut(o);
    await endOfRun({ runId: l.runId, home: o.home, playbook: l.playbook, vars: l.vars, verdict: verdict?.verdict, out, view: o.view });
    l.afterSummary?.(out);
    await notified();
    return { code: verdict ? verdictExitCode[verdict.verdict] : ExitCode.failed, runId: l.runId };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    l.session.close();
    l.unlock();
  }
}
