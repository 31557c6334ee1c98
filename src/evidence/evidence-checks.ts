import type { Check } from '../playbook/schema.js';
import { evalExpr, parseExpr } from '../engine/expr.js';
import type { TreeVerdict } from './evaluated-tree.js';

/**
 * The checks that hold the agent's figures and code to evidence it does not control: a figure
 * against a second signal of the same output (`agree`), the code a stage ran against the
 * pristine tree (`editable_only`), the code now against the code the stages ran (`code_ran`),
 * the results file against the log (`results_agree`), and a second model's review (`reviewer`).
 */
export interface Signal {
  name: string;
  value: number | null;
  /** Where the figure came from (the metric's `from`, or its regex). */
  from: string;
}

export interface EvidenceOutcome {
  passed: boolean;
  detail: string;
  signals?: Signal[];
}

/** What the runner knows beside the figures: the tree the command ran on, the results cross-check, the hashes each stage ran. */
export interface Evidence {
  tree?: TreeVerdict;
  /** Why no tree was assembled although the playbook declares editable parts (an attached run: no clone). */
  unchecked?: string;
  results?: { agrees: boolean; detail: string };
  /** The evaluated tree's hash each run step's last command ran on. */
  trees?: Record<string, string>;
  /** The evaluated tree as the workspace holds it now. */
  current?: () => Promise<TreeVerdict>;
  /** The reviewer model's findings on the editable diff, against the rubric. */
  review?: (rubric: string, diff: string) => Promise<EvidenceOutcome>;
}

type EvidenceCheck = Extract<Check, { check: 'agree' | 'editable_only' | 'code_ran' | 'results_agree' | 'reviewer' }>;

const short = (hash: string) => hash.slice(0, 12);
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
const QUOTE_LINES = 40;

export function agree(check: Extract<Check, { check: 'agree' }>, metrics: Record<string, number>, sources: Record<string, string>): EvidenceOutcome {
  const signal = (name: string): Signal => ({ name, value: metrics[name] ?? null, from: sources[name] ?? 'not a metric of this step' });
  const signals = [signal(check.figure), signal(check.with)];
  const [a, b] = signals as [Signal, Signal];
  const missing = signals.filter((s) => s.value === null).map((s) => `${s.name} (${s.from})`);
  if (missing.length > 0) return { passed: false, detail: `not measured: ${missing.join(', ')}`, signals };
  let within = 0;
  if (typeof check.within === 'number') within = check.within;
  else if (check.within !== undefined) {
    const r = evalExpr(parseExpr(check.within), metrics);
    within = r.ok && typeof r.value === 'number' ? r.value : 0;
  }
  const gap = Math.abs(a.value! - b.value!);
  const passed = gap <= within + 1e-9;
  const allowed = within > 0 ? ` (allowed ${fmt(within)})` : '';
  const how = passed ? 'agree' : `disagree by ${fmt(gap)}`;
  return { passed, detail: `${a.name} ${fmt(a.value!)} from ${a.from} and ${b.name} ${fmt(b.value!)} from ${b.from} ${how}${allowed}`, signals };
}

function quoted(lines: string[], diff: string): string {
  const body = diff.split('\n').filter((l) => l !== '' && !l.startsWith('====='));
  const shown = body.slice(0, QUOTE_LINES);
  return [...lines, ...shown, ...(body.length > shown.length ? [`... ${body.length - shown.length} more diff lines`] : [])].join('\n');
}

export async function evaluateEvidenceCheck(check: EvidenceCheck, metrics: Record<string, number>, sources: Record<string, string>, ev: Evidence = {}): Promise<EvidenceOutcome> {
  switch (check.check) {
    case 'agree':
      return agree(check, metrics, sources);
    case 'editable_only': {
      const t = ev.tree;
      if (!t && ev.unchecked) return { passed: true, detail: `not checked: ${ev.unchecked}` };
      if (!t) return { passed: false, detail: 'no evaluated tree: the playbook declares no editable parts, or the pristine tree is unknown' };
      if (t.refused.length > 0) return { passed: false, detail: quoted([`not run: the workspace changed outside the editable parts (${t.refused.length}):`, ...t.refused.map((r) => `  ${r}`)], t.refusedDiff) };
      return { passed: true, detail: `evaluated tree ${short(t.hash)}: pristine ${short(t.pristine)} plus ${t.changed.length} editable file(s) changed${t.changed.length ? ` (${t.changed.join(', ')})` : ''}` };
    }
    case 'code_ran': {
      if (!ev.current && ev.unchecked) return { passed: true, detail: `not checked: ${ev.unchecked}` };
      if (!ev.current) return { passed: false, detail: 'no evaluated tree: the playbook declares no editable parts, or the pristine tree is unknown' };
      const now = await ev.current();
      const ran = ev.trees ?? {};
      const steps = check.steps ?? Object.keys(ran);
      // New files outside the editable parts did not run with the stages; a changed pristine file did.
      if (now.refused.length > 0) return { passed: false, detail: quoted([`the workspace changed outside the editable parts since the stages ran:`, ...now.refused.map((r) => `  ${r}`)], now.refusedDiff) };
      const differ = steps.filter((s) => ran[s] !== now.hash);
      const list = steps.map((s) => `${s} ${ran[s] ? short(ran[s]) : 'did not run'}`).join(', ');
      if (steps.length === 0) return { passed: false, detail: 'no stage ran' };
      if (differ.length > 0) return { passed: false, detail: `the code now (evaluated tree ${short(now.hash)}) is not the code ${differ.join(', ')} ran (${list})` };
      return { passed: true, detail: `evaluated tree ${short(now.hash)} is the code ${steps.join(', ')} ran` };
    }
    case 'results_agree':
      if (!ev.results) return { passed: false, detail: 'the output named no results file, so nothing confirms its figures' };
      return { passed: ev.results.agrees, detail: ev.results.detail };
    case 'reviewer':
      // Advisory by design: without a model (no key) the code is not reviewed, and nothing passes because of it.
      if (!ev.review) return { passed: true, detail: 'not reviewed: no reviewer model is configured for this run' };
      return ev.review(check.rubric, ev.tree?.diff ?? '');
  }
}
