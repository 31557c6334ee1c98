import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildReport } from '../report/model.js';
import { type EndedRun, saveRunResults } from '../results/save-run.js';
import { readEventLog } from '../runs/log.js';
import { RunStore } from '../runs/store.js';
import type { AppView } from '../ui/launch.js';
import { findings } from './findings.js';

/**
 * After the engine's verdict: the playbook's save_results, then what the run found in words, on
 * plain output and in the app alike (JSON output has the events and nothing more).
 */
export async function endOfRun(o: EndedRun & { view?: AppView }): Promise<void> {
  await saveRunResults(o);
  if (!o.out && !o.view) return;
  const paths = new RunStore(o.home ? resolve(o.home) : undefined).paths(o.runId);
  const { events } = await readEventLog(paths.log);
  if (!events.some((e) => e.type === 'run_started')) return;
  const md = join(paths.dir, 'report.md');
  const lines = findings(buildReport(events), o.playbook, existsSync(md) ? md : `labpilot report ${o.runId} writes report.md and report.html`);
  o.out?.write(lines.join('\n') + '\n');
  o.view?.summary?.(lines);
}
