import { basename, dirname, join } from 'node:path';
import { replayRun } from '../replay/run-replay.js';
import type { TranscriptFormat } from '../replay/import/detect.js';
import { importTranscript } from '../replay/import/index.js';
import { Coverage } from '../replay/measure/coverage.js';
import { playbookMatcher } from '../replay/match-rules.js';
import { playbookForMeasuring, nothingImported } from '../replay/transcript-replay.js';
import { loadPlaybook } from '../playbook/load.js';
import { runPoints, transcriptPoints, type ReplayWalk } from './replay-points.js';

export interface WalkSource {
  file: string;
  format: TranscriptFormat;
  playbook?: string;
  strict: boolean;
}

/**
 * What `labpilot replay --step` steps through: a run replayed on its recorded answers (the
 * replay's own events, so a changed playbook's triggers show), or a transcript imported and, with
 * a playbook, measured point by point.
 */
export async function loadWalk(o: WalkSource): Promise<ReplayWalk> {
  if (o.format === 'labpilot') {
    const r = await replayRun({ log: o.file, commandsDir: join(dirname(o.file), 'commands'), playbook: o.playbook });
    const playbook = (await loadPlaybook(r.playbookPath)).playbook;
    const note = [
      r.playbookChanged ? `replayed with ${basename(r.playbookPath)}, changed since the run` : undefined,
      r.differences.length ? `${r.differences.length} step(s) decided differently from the recording` : undefined,
      r.stopped ? `the replay stopped early: ${r.stopped}` : undefined,
    ].filter((x) => x !== undefined);
    return { title: `run ${r.runId} (replayed)`, note: note.join('; ') || undefined, playbook, events: r.events, points: runPoints(r.events) };
  }
  const pb = o.playbook ? await playbookForMeasuring(o.playbook) : undefined;
  const { events: imported, stats } = importTranscript(o.file, { format: o.format, strict: o.strict });
  const coverage = pb ? new Coverage(pb, playbookMatcher(pb.playbook)) : undefined;
  const { events, points } = transcriptPoints(imported, coverage);
  nothingImported(o.file, stats);
  return { title: `${basename(o.file)} (${o.format})`, playbook: pb?.playbook, vars: pb?.vars, events, points };
}
