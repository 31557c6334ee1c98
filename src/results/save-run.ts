import type { Verdict } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';

/**
 * The playbook's `save_results`: once a run has passed, its report is written from the log and
 * saved into the repository's results folder, committed on the run's branch and pushed when the
 * repository has a remote (the guide's last step). A failed push is reported, not a failed run.
 */
export interface EndedRun {
  runId: string;
  home?: string;
  playbook: Playbook;
  vars: Record<string, string>;
  verdict: Verdict | undefined;
  /** Where to say what was saved; nothing is printed without it (JSON output, the terminal app). */
  out?: NodeJS.WritableStream;
}

export async function saveRunResults(o: EndedRun): Promise<void> {
  const save = o.playbook.save_results;
  if (o.verdict !== 'passed' || !save) return;
  // The report pulls in the charting library: loaded only by runs that save results.
  const { writeReport, saveReport } = await import('../commands/report.js');
  const report = await writeReport({ runId: o.runId, home: o.home });
  const saved = await saveReport(o.runId, o.home, renderTemplate(save.dir, o.vars), save.push, report.paths);
  o.out?.write(`report: ${report.paths.md}\n        ${report.paths.html}\n${saved.text}`);
}
