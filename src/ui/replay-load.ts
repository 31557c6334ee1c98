import { basename } from 'node:path';
import type { TranscriptFormat } from '../replay/import/detect.js';
import { importTranscript } from '../replay/import/index.js';
import { Coverage } from '../replay/measure/coverage.js';
import { playbookMatcher } from '../replay/match-rules.js';
import { compilePlaybook } from '../replay/transcript-replay.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';
import { readEventLog } from '../runs/log.js';
import { runPoints, transcriptPoints, type ReplayWalk } from './replay-points.js';

export interface WalkSource {
  file: string;
  format: TranscriptFormat;
  playbook?: string;
  strict: boolean;
}

/**
 * What `labpilot replay --step` steps through: a run's log (with the playbook it names, for step
 * titles and the checklist), or a transcript imported and, with a playbook, measured point by point.
 */
export async function loadWalk(o: WalkSource): Promise<ReplayWalk> {
  if (o.format === 'labpilot') {
    const { events } = await readEventLog(o.file);
    const started = events.find((e) => e.type === 'run_started');
    const playbook = o.playbook ? (await loadPlaybook(o.playbook)).playbook : await recordedPlaybook(started?.type === 'run_started' ? started.playbookPath : undefined);
    return { title: started?.type === 'run_started' ? `run ${started.runId}` : basename(o.file), playbook, events, points: runPoints(events) };
  }
  const pb = o.playbook ? await compilePlaybook(o.playbook) : undefined;
  const { events: imported } = importTranscript(o.file, { format: o.format, strict: o.strict });
  const coverage = pb ? new Coverage(pb, playbookMatcher(pb.playbook)) : undefined;
  const { events, points } = transcriptPoints(imported, coverage);
  return { title: `${basename(o.file)} (${o.format})`, playbook: pb?.playbook, vars: pb?.vars, events, points };
}

/** The run's playbook names steps and checklist items; a run whose playbook moved is still shown. */
async function recordedPlaybook(path: string | undefined): Promise<Playbook | undefined> {
  if (path === undefined) return undefined;
  try {
    return (await loadPlaybook(path)).playbook;
  } catch {
    return undefined;
  }
}
