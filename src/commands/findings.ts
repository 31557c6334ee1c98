import type { Comparison, RunReport, StageReport } from '../report/model.js';
import { wilson } from '../report/significance.js';
import { compared, successRate } from '../report/comparison-sections.js';
import { pct } from '../report/format.js';
import type { Playbook } from '../playbook/schema.js';
import { renderTemplate } from '../playbook/template.js';

/**
 * What a run found, in words, for the end of plain output and of the app: the comparison (the
 * treatment stage against the baseline, named as the playbook names them, the speedup with its
 * interval, success both ways), the remediations that fired, and where the report is.
 */
export function findings(r: RunReport, pb: Playbook | undefined, report: string): string[] {
  const lines = r.comparisons.map((c) => comparisonLine(r, c, pb));
  lines.push(fixesLine(r));
  lines.push(`report: ${report}`);
  return lines;
}

/** How the playbook names a step's stage: its `label` when it has one, else the step with its title. */
export function stageName(pb: Playbook | undefined, step: string, vars: Record<string, string>): string {
  const s = pb?.steps.find((x) => x.id === step);
  if (s?.label) return s.label;
  const name = s?.title;
  if (!name) return step;
  let text = name;
  try {
    text = renderTemplate(name, vars);
  } catch {
    // An unknown variable in a title is shown as written.
  }
  return `${step} (${text})`;
}

function comparisonLine(r: RunReport, c: Comparison, pb: Playbook | undefined): string {
  const { t, b } = compared(r, c);
  const on = c.item === undefined ? '' : ` on ${c.item}`;
  const sp = c.speedup;
  const speed = !sp
    ? 'speed not measured (no inference time printed)'
    : sp.low !== undefined
      ? `${sp.ratio.toFixed(2)}x ${sp.ratio >= 1 ? 'faster' : 'as fast'} (95% interval ${sp.low.toFixed(2)}-${sp.high!.toFixed(2)}x over ${sp.episodes.treatment} and ${sp.episodes.baseline} episodes)`
      : `${sp.ratio.toFixed(2)}x ${sp.ratio >= 1 ? 'faster' : 'as fast'} (stage averages only, no interval)`;
  return `found${on}: ${stageName(pb, c.treatment, r.vars)} against ${stageName(pb, c.baseline, r.vars)}: ${speed}; success ${success(t)} against ${success(b)}`;
}

/** `88.2% (95% interval 85.1-90.8%)`: the Wilson interval of the stage's successes. */
function success(s: StageReport): string {
  const rate = pct(successRate(s));
  const n = s.figures.totals?.episodes ?? 0;
  if (n === 0) return rate;
  const { low, high } = wilson(s.figures.totals!.successes, n);
  return `${rate} (95% interval ${(low * 100).toFixed(1)}-${pct(high)})`;
}

function fixesLine(r: RunReport): string {
  if (r.remediations.length === 0) return 'fixes: no remediation fired';
  const counts = new Map<string, number>();
  for (const x of r.remediations) {
    const key = `${x.remediation} at ${x.step}${x.item === undefined ? '' : ` [${x.item}]`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const list = [...counts].map(([k, n]) => (n > 1 ? `${k} (${n} times)` : k));
  return `fixes: ${r.remediations.length} remediation(s) fired: ${list.join(', ')}`;
}
