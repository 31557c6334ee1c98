import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { RunStore } from '../runs/store.js';
import { openHookRun } from '../hooks/hook-run.js';
import { removeHooks } from '../hooks/settings.js';
import { clearAttachment, readAttachment } from '../hooks/attachment.js';
import { runningDriver } from '../hooks/driver.js';
import { writeReport } from './report.js';

const OUTCOME = {
  restored: 'put back as it was before attach',
  removed: 'removed (attach had created it)',
  edited: 'edited since attach: only labpilot’s hooks were taken out',
  gone: 'already gone',
} as const;

/**
 * `labpilot detach`: takes labpilot's hooks out of the project's Claude Code settings (the file
 * as it was before attach) and ends the run if it is still going, with its report written.
 */
export async function detachCommand(o: { home?: string; cwd?: string; out?: NodeJS.WritableStream }): Promise<number> {
  const out = o.out ?? process.stdout;
  const home = resolve(o.cwd ?? '.', o.home ?? '.labpilot');
  const a = readAttachment(home);
  if (!a) throw new InputError(`nothing is attached here (no ${home}/attached.json)`);
  const store = new RunStore(home);
  if (store.ids().includes(a.runId)) {
    // A step's command running detached stops with the run.
    const driver = runningDriver(store.paths(a.runId));
    if (driver !== undefined) process.kill(driver, 'SIGTERM');
    const run = await openHookRun(home, a.runId);
    try {
      const v = run.context.verdict;
      if (!v) run.emit({ type: 'run_ended', verdict: 'aborted', reason: 'detached from Claude Code before the playbook ended' });
      out.write(`labpilot: run ${a.runId} ${v ? `had ended: ${v.verdict}` : 'ended: aborted (detached)'}\n`);
    } finally {
      run.close();
    }
    const r = await writeReport({ runId: a.runId, home });
    out.write(`  report: ${r.paths.md}\n`);
  }
  const outcome = removeHooks(a.installed);
  clearAttachment(home);
  out.write(`  ${a.installed.path}: ${OUTCOME[outcome]}\n`);
  return 0;
}
