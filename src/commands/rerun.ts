import type { Event } from '../events/schema.js';
import { InputError } from '../errors.js';
import { EventLogWriter, readEventLog } from '../runs/log.js';
import type { RunStore } from '../runs/store.js';

/**
 * `resume <id> --from-step STEP`: a new run that continues the old one from the first time it
 * entered STEP. Its log is the old log up to there (run logs are append-only, so the old run is
 * left as it was); its workspace and branch are the old run's, so the agent's work is kept and
 * nothing before STEP is redone. Returns the new run's id, ready for `resume`.
 */
export async function forkFromStep(store: RunStore, runId: string, step: string): Promise<string> {
  const { events } = await readEventLog(store.find(runId).log);
  if (store.isLive(runId)) throw new InputError(`run ${runId} is still running; stop it before rerunning a step`);
  const at = events.findIndex((e) => e.type === 'step_entered' && e.step === step);
  if (at < 0) {
    const entered = [...new Set(events.flatMap((e) => (e.type === 'step_entered' ? [e.step] : [])))];
    throw new InputError(`run ${runId} never entered step '${step}' (it entered: ${entered.join(', ') || 'none'})`);
  }
  const id = store.newRunId();
  const paths = store.create(id);
  // Up to its entry into the step: the engine, folding it, starts the step's first attempt anew.
  // Written through the log writer, so the copy is chained anew under the new run id.
  const writer = new EventLogWriter(paths.log);
  for (const e of events.slice(0, at + 1)) writer.append(e.type === 'run_started' ? ({ ...e, runId: id } as Event) : e);
  writer.close();
  return id;
}
