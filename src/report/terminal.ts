import type { RunReport } from './model.js';
import { dollars, duration, int, ms, pct } from './format.js';
import { taskBars, timingLines } from './text-charts.js';
import { differenceOf } from './difference.js';
import { pValue } from './significance.js';
import { compared, pooledComparison, speedupCell, successRate, timesOf } from './comparison-sections.js';

/** The report in a few lines for the terminal, with compact charts. */
export function renderTerminal(r: RunReport, width = 80): string {
  const out: string[] = [`run ${r.runId}: ${r.playbook} ${r.verdict ? `${r.verdict.verdict} (${r.verdict.reason})` : 'not finished'}`];
  const itemWidth = Math.max(0, ...r.stages.map((s) => (s.item === undefined ? 0 : s.item.length + 1)));
  for (const s of r.stages) {
    const f = s.figures;
    const n = f.totals?.episodes ?? f.episodes.length;
    const k = f.totals?.successes ?? f.episodes.filter((e) => e.success).length;
    const figures = [n > 0 ? `success ${pct(k / n)} of ${n}` : '', f.inference ? `${ms(f.inference.meanMs)}/step` : '', typeof f.acceptance === 'number' ? `acceptance ${f.acceptance.toFixed(2)}` : '']
      .filter(Boolean)
      .join(', ');
    const item = itemWidth > 0 ? `${(s.item ?? '').padEnd(itemWidth)}` : '';
    out.push(`  ${s.step.padEnd(10)} ${item}exit ${s.exitCode ?? s.signal}  ${figures}`.trimEnd());
  }
  const suites = r.comparisons.filter((c) => c.item !== undefined);
  if (suites.length > 0) {
    const w = Math.max(...suites.map((c) => c.item!.length));
    out.push(`suites (${suites[0]!.treatment} vs ${suites[0]!.baseline}):`);
    for (const c of suites) {
      const { t, b } = compared(r, c);
      const acceptance = typeof t.figures.acceptance === 'number' ? `, acceptance ${t.figures.acceptance.toFixed(2)}` : '';
      out.push(`  ${c.item!.padEnd(w)} success ${pct(successRate(t))} vs ${pct(successRate(b))}, ${ms(t.figures.inference?.meanMs)} vs ${ms(b.figures.inference?.meanMs)}/step, speedup ${speedupCell(c)}${acceptance}`);
    }
    const pooled = pooledComparison(r, suites);
    if (pooled) {
      const { t, b } = pooled;
      out.push(`  all suites pooled: success ${pct(t.totals?.successRate)} vs ${pct(b.totals?.successRate)}, ${ms(t.inference?.meanMs)} vs ${ms(b.inference?.meanMs)}/step, speedup ${pooled.cell}`);
    }
  }
  for (const c of r.comparisons) {
    const { t, b } = compared(r, c);
    const barWidth = Math.max(10, Math.min(40, width - 30));
    const on = c.item === undefined ? '' : ` on ${c.item}`;
    out.push(`success per task (${c.treatment} vs ${c.baseline})${on}:`);
    out.push(...taskBars([{ name: c.treatment, tasks: t.figures.tasks }, { name: c.baseline, tasks: b.figures.tasks }], barWidth).map((l) => `  ${l}`));
    const lines = timingLines([{ name: c.treatment, values: timesOf(t) }, { name: c.baseline, values: timesOf(b) }], Math.max(10, Math.min(60, width - 50)));
    if (lines.length > 0) out.push(`inference time over episodes${on}:`, ...lines.map((l) => `  ${l}`));
    const d = differenceOf(t.figures, b.figures)?.pooled;
    if (d) out.push(`success difference ${(d.difference * 100).toFixed(1)} points (95% CI ${(d.low * 100).toFixed(1)} to ${(d.high * 100).toFixed(1)}), Fisher's exact ${pValue(d.p)}${on}`);
    const sp = c.speedup;
    if (sp) out.push(`speedup ${sp.ratio.toFixed(2)}x${sp.low !== undefined ? ` (95% interval ${sp.low.toFixed(2)}-${sp.high!.toFixed(2)}x)` : ' (stage averages only, no spread)'}${on}`);
  }
  const named = (x: { step: string; item?: string }) => (x.item === undefined ? x.step : `${x.step} [${x.item}]`);
  for (const e of r.earlyStops) out.push(`early stop of ${named(e)}: ${e.evidence}`);
  for (const c of r.crossChecks) out.push(`results file of ${named(c)}: ${c.text}`);
  if (r.checklist.length > 0) {
    const failed = r.checklist.filter((x) => !x.passed);
    out.push(`checklist: ${r.checklist.length - failed.length}/${r.checklist.length} passed${failed.map((x) => `\n  FAIL ${x.item}: ${x.detail}`).join('')}`);
  }
  out.push(`remediations: ${r.remediations.length === 0 ? 'none' : r.remediations.map((x) => `${x.remediation} (${x.item === undefined ? x.step : `${x.step} ${x.item}`})`).join(', ')}`);
  out.push(`cost: ${r.cost.turns} turns, ${int(r.cost.tokens)} tokens, ${dollars(r.cost.dollars)}, wall time ${duration(r.cost.wallMs)}`);
  return out.join('\n') + '\n';
}
