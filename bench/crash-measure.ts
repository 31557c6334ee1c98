import type { Event, EventOf, EventType } from '../src/events/schema.js';
import type { CaseResult, KillAt, Timeline } from './crash-campaign.js';

/**
 * What a resumed run is judged on, against an uninterrupted one:
 * - same verdict: the same `run_ended` verdict and exit code, and the post-run work done (the
 *   results commit in the workspace) when the uninterrupted run did it;
 * - duplicated prompts: a prompt sent to the agent more than once (`prompt_sent` twice for one id);
 * - rerun commands: a command that had finished (its `command_exited` logged) started again, or an
 *   agent tool call whose result was logged run again. What was in flight at the kill is redone,
 *   which is not a rerun;
 * - lost events: a line of the killed run's log that the resumed log does not keep as it was,
 *   plus each event of the uninterrupted run's story (steps entered and done, prompts proposed
 *   and sent, turns ended, commits, commands finished, remediations, budget reports, checklist
 *   items, the verdict) that the resumed log lacks.
 */

export interface CaseMeasure {
  same: boolean;
  duplicatedPrompts: number;
  rerunCommands: number;
  lostEvents: number;
  why: string[];
}

/** The story events of each kind a resumed run must keep, each by what tells two of them apart. */
const STORY: { [K in EventType]?: (e: EventOf<K>) => string | undefined } = {
  step_entered: (e) => `${e.step}#${e.attempt}`,
  step_done: (e) => `${e.step}:${e.outcome}`,
  prompt_proposed: (e) => e.promptId,
  prompt_sent: (e) => e.promptId,
  agent_turn_ended: (e) => `${e.promptId}#${e.turn}`,
  commit_made: (e) => e.message,
  command_exited: (e) => e.commandId,
  remediation_chosen: (e) => `${e.remediation}#${e.attempt}`,
  budget_spent: (e) => String(e.turns),
  gate_judged: (e) => (e.scope === 'checklist' ? e.check : undefined),
  run_ended: (e) => e.verdict,
};

/** The story keys of a log by kind (checklist items as `checklist`). */
const keysOf = (events: Event[]): Map<string, Set<string>> => {
  const m = new Map<string, Set<string>>();
  for (const e of events) {
    const key = (STORY[e.type] as ((e: Event) => string | undefined) | undefined)?.(e);
    if (key === undefined) continue;
    const kind = e.type === 'gate_judged' ? 'checklist' : e.type;
    m.set(kind, (m.get(kind) ?? new Set()).add(key));
  }
  return m;
};

export function measureCase(baseline: CaseResult, c: CaseResult): CaseMeasure {
  const why: string[] = [];
  const end = (events: Event[]) => events.filter((e) => e.type === 'run_ended').at(-1);
  const want = end(baseline.events);
  const got = end(c.events);
  let same = got?.type === 'run_ended' && want?.type === 'run_ended' && got.verdict === want.verdict && c.resumeCode === baseline.code;
  if (!same) why.push(`verdict ${got?.type === 'run_ended' ? got.verdict : 'none'} exit ${c.resumeCode} ${c.resumeErr}`);
  if (baseline.resultsCommits > 0 && c.resultsCommits === 0) {
    same = false;
    why.push('no results commit');
  }

  const sent = new Map<string, number>();
  for (const e of c.events) if (e.type === 'prompt_sent') sent.set(e.promptId, (sent.get(e.promptId) ?? 0) + 1);
  const duplicatedPrompts = [...sent.values()].reduce((n, k) => n + k - 1, 0);
  if (duplicatedPrompts) why.push(`duplicated prompts ${[...sent].filter(([, k]) => k > 1).map(([id]) => id)}`);

  let rerunCommands = 0;
  const exited = new Set<string>();
  const answered = new Set<string>();
  for (const e of c.events) {
    if (e.type === 'command_exited') exited.add(e.commandId);
    if (e.type === 'command_started' && exited.has(e.commandId)) rerunCommands++;
    if (e.type === 'tool_result') answered.add(e.callId);
    if (e.type === 'tool_call' && answered.has(e.callId)) rerunCommands++;
  }
  if (rerunCommands) why.push(`rerun ${rerunCommands}`);

  let lostEvents = 0;
  c.before.forEach((e, i) => {
    if (JSON.stringify(c.events[i]) !== JSON.stringify(e)) lostEvents++;
  });
  if (lostEvents) why.push(`log prefix changed at ${lostEvents} line(s)`);
  const have = keysOf(c.events);
  for (const [kind, keys] of keysOf(baseline.events)) {
    const missing = [...keys].filter((k) => !have.get(kind)?.has(k));
    lostEvents += missing.length;
    if (missing.length) why.push(`lost ${kind} ${missing.slice(0, 3).join(',')}`);
  }
  return { same: !!same, duplicatedPrompts, rerunCommands, lostEvents, why };
}

/** A seeded generator (the noise log's mulberry32): the same seed gives the same campaign. */
export { prng as seeded } from './generators/log-noise.js';

/**
 * `n` kill instants over the uninterrupted run's whole length, one in each of `n` equal slices
 * of its time from `run_started` to the exit (so the clone, the turns, the commands, the checks, the checklist, the report and
 * the time after `run_ended` all get theirs), each as the last event printed before it plus a delay.
 */
export function killInstants(t: Timeline, n: number, rand: () => number): KillAt[] {
  const out: KillAt[] = [];
  // The run begins with `run_started`; before it labpilot is loading its code and has nothing to resume.
  const start = t.at[0] ?? 0;
  for (let k = 0; k < n; k++) {
    const ms = start + ((k + rand()) / n) * (t.exitMs - start);
    let anchor = 0;
    while (anchor < t.at.length && t.at[anchor]! <= ms) anchor++;
    out.push({ anchor, delayMs: Math.max(0, Math.round(ms - (anchor > 0 ? t.at[anchor - 1]! : 0))) });
  }
  return out;
}
