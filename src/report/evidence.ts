import type { Event, EventOf } from '../events/schema.js';

/**
 * The report's provenance, read from the run log: for each stage the tree labpilot assembled and
 * ran (its hash, the editable files changed, what was refused), the gates of its last attempt
 * with their evidence (a cross-check names both signals), the reviewer's findings, and the diff
 * of the editable parts the compared stages ran.
 */
export interface EvidenceReport {
  pristine?: string;
  trees: Array<{ step: string; commandId: string; tree: string; changed: string[]; refused: string[] }>;
  gates: Array<{ step: string; check: string; passed: boolean; detail: string }>;
  reviews: Array<{ step: string; model: string; question: string; answer: string; findings: string[] }>;
  /** The editable diff of the last tree a stage ran (bounded when logged). */
  diff?: string;
}

export function evidenceOf(events: Event[]): EvidenceReport {
  const trees = events.filter((e): e is EventOf<'tree_evaluated'> => e.type === 'tree_evaluated');
  const lastTree = new Map(trees.map((t) => [t.step, t]));
  const ran = trees.filter((t) => t.refused.length === 0).at(-1);
  return {
    ...(trees[0] && { pristine: trees[0].pristine }),
    trees: [...lastTree.values()].map(({ step, commandId, tree, changed, refused }) => ({ step, commandId, tree, changed, refused })),
    gates: lastAttemptGates(events, new Set(trees.map((t) => t.step))),
    reviews: events.filter((e): e is EventOf<'review_done'> => e.type === 'review_done').map(({ step, model, question, answer, findings }) => ({ step, model, question, answer, findings })),
    ...(ran && { diff: ran.diff }),
  };
}

/** The gates judged in each run step's last attempt (after its last `step_entered`). */
function lastAttemptGates(events: Event[], steps: Set<string>): EvidenceReport['gates'] {
  const byStep = new Map<string, EvidenceReport['gates']>();
  for (const e of events) {
    if (e.type === 'step_entered' && steps.has(e.step)) byStep.set(e.step, []);
    if (e.type === 'gate_judged' && e.scope === 'step' && e.step !== undefined && byStep.has(e.step)) {
      byStep.get(e.step)!.push({ step: e.step, check: e.check, passed: e.passed, detail: e.detail });
    }
  }
  return [...byStep.values()].flat();
}
