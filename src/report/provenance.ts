import type { Event, EventOf, RunAnnotations } from '../events/schema.js';
import type { z } from 'zod';
import type { Comparison, RunReport, StageReport } from './model.js';

/**
 * Where the report's figures come from, read from the run log: which commit of the agent's work
 * was evaluated, which fixes changed the experimental condition and for which commands, and
 * each remediation by its title and the output line that fired it.
 */

type Annotations = z.infer<typeof RunAnnotations>;

const of =
  <T extends Event['type']>(type: T) =>
  (e: Event): e is EventOf<T> =>
    e.type === type;

/** The last commit made before the (first) compared treatment stage's command started. */
export function evaluatedCommitOf(events: Event[], stages: StageReport[], comparisons: Comparison[]): Pick<RunReport, 'evaluatedCommit'> {
  const first = comparisons[0];
  const stage = first ? stages.find((s) => s.step === first.treatment && s.item === first.item) : stages.at(-1);
  const start = events.find((e): e is EventOf<'command_started'> => e.type === 'command_started' && e.commandId === stage?.commandId);
  if (!stage || !start) return {};
  const commit = events.filter((e): e is EventOf<'commit_made'> => e.type === 'commit_made' && e.seq < start.seq).at(-1);
  return commit ? { evaluatedCommit: { sha: commit.sha, files: commit.files, before: stage.step } } : {};
}

/** Each condition-changing fix with the ids of the commands started after it was chosen. */
export function conditionsOf(events: Event[], annotations: Annotations): RunReport['conditions'] {
  const started = events.filter(of('command_started'));
  return events.filter(of('remediation_chosen')).flatMap((r) => {
    const a = annotations.remediations[r.remediation];
    if (a?.changesCondition === undefined) return [];
    return [
      {
        remediation: r.remediation,
        title: a.title ?? r.remediation,
        condition: a.changesCondition,
        step: r.step,
        ...(r.item !== undefined && { item: r.item }),
        after: started.filter((c) => c.seq > r.seq).map((c) => c.commandId),
      },
    ];
  });
}

/** Longest output line the report quotes; the command's log has the rest. */
const LINE = 160;

export function remediationsOf(events: Event[], annotations: Annotations): RunReport['remediations'] {
  const hits: Array<EventOf<'trigger_matched'>> = [];
  return events.flatMap((e) => {
    if (e.type === 'trigger_matched') hits.push(e);
    if (e.type !== 'remediation_chosen') return [];
    const { step, remediation, action, attempt, why, item } = e;
    const hit = hits.filter((h) => h.remediation === remediation && h.step === step && h.item === item).at(-1);
    const text = hit?.line.trim();
    const line = text === undefined ? undefined : text.length > LINE ? `${text.slice(0, LINE - 1)}…` : text;
    const title = annotations.remediations[remediation]?.title ?? remediation;
    return [{ step, remediation, title, action, attempt, why, ...(line !== undefined && { line }), ...(item !== undefined && { item }) }];
  });
}
