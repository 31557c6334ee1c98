import type { Event, Source } from '../events/schema.js';
import type { Playbook } from '../playbook/schema.js';
import type { ImportedEvent } from '../replay/import/index.js';
import type { Coverage, CoveragePoint } from '../replay/measure/coverage.js';
import { foldView, initialView, type ViewState } from './view-state.js';

/** A trigger that matched at a point: the remediation it names and the line it matched. */
export interface Match {
  remediation: string;
  source: Source;
  line: string;
}

/** One stop of the step-through screen. */
export interface ReplayPoint {
  /** Index into the walk's events of the event this point stands on; the state shown folds up to it. */
  at: number;
  /** The transcript line the event was read from (imported transcripts only). */
  line?: number;
  matches: Match[];
  /** For a transcript measured against a playbook: the coverage point that closed here. */
  coverage?: CoveragePoint;
}

/** A replayed run or an imported transcript, as the points the screen steps through. */
export interface ReplayWalk {
  /** What is being stepped through: a run id or the transcript's file. */
  title: string;
  /** What to know about the whole walk: a changed playbook, a replay that stopped early. */
  note?: string;
  playbook?: Playbook;
  /** Variables for titles when the events carry none (a transcript has no run_started). */
  vars?: Record<string, string>;
  events: Event[];
  points: ReplayPoint[];
}

/** Events that are folded into the state but are no stop of their own: one per output line, say. */
const PASSING = new Set<Event['type']>(['command_output', 'budget_spent', 'agent_turn_ended']);

/** A labpilot run log: every event that says something is a point; a trigger_matched is a match. */
export function runPoints(events: Event[]): ReplayPoint[] {
  const points: ReplayPoint[] = [];
  events.forEach((e, at) => {
    if (PASSING.has(e.type)) return;
    const matches = e.type === 'trigger_matched' ? [{ remediation: e.remediation, source: e.source, line: e.line }] : [];
    points.push({ at, matches });
  });
  return points;
}

/**
 * An imported transcript. Measured against a playbook, a point is the agent's work between two
 * prompts of the person (the coverage points, closed where the person answered); without one,
 * every event is a point and nothing can match.
 */
export function transcriptPoints(imported: Iterable<ImportedEvent>, coverage?: Coverage): { events: Event[]; points: ReplayPoint[] } {
  const events: Event[] = [];
  const points: ReplayPoint[] = [];
  let line = 0;
  const close = (p: CoveragePoint | undefined) => {
    if (p) points.push({ at: events.length - 1, line: p.line, matches: p.triggers.map((t) => ({ remediation: t.remediation, source: t.source, line: t.line })), coverage: p });
  };
  for (const ev of imported) {
    events.push(ev.event);
    line = ev.line;
    if (coverage) close(coverage.feed(ev));
    else points.push({ at: events.length - 1, line: ev.line, matches: [] });
  }
  if (coverage) close(coverage.end(line));
  return { events, points };
}

/** A point worth stopping at: a trigger matched there, or the playbook missed the person's follow-up. */
const notable = (p: ReplayPoint) => p.matches.length > 0 || p.coverage?.verdict === 'missed';

/** The next notable point after `from`, if any. */
export function nextMatch(points: ReplayPoint[], from: number): number | undefined {
  for (let k = from + 1; k < points.length; k++) if (notable(points[k]!)) return k;
  return undefined;
}

/** The closest earlier notable point, if any. */
export function previousMatch(points: ReplayPoint[], from: number): number | undefined {
  for (let k = from - 1; k >= 0; k--) if (notable(points[k]!)) return k;
  return undefined;
}

/**
 * The screen's state at a point: the live app's fold over the events up to it. Stepping forward
 * folds on from the last state; stepping back folds again from the start (the fold only goes on).
 */
export class StateAt {
  private upto = -1;
  private state: ViewState;

  constructor(private readonly walk: ReplayWalk) {
    this.state = this.start();
  }

  private start(): ViewState {
    return { ...initialView(this.walk.playbook), vars: this.walk.vars ?? {} };
  }

  at(point: ReplayPoint): ViewState {
    if (point.at < this.upto) {
      this.upto = -1;
      this.state = this.start();
    }
    for (let i = this.upto + 1; i <= point.at; i++) this.state = foldView(this.state, this.walk.events[i]!);
    this.upto = point.at;
    return this.state;
  }
}
