import type { RunReport } from './model.js';
import { dollars, duration, int, ms, pct } from './format.js';
import { taskBars, timingLines } from './text-charts.js';

/** The report in a few lines for the terminal, with compact charts. */
export function renderTerminal(r: RunReport, width = 80): string {
  const out: string[] = [`run ${r.runId}: ${r.playbook} ${r.verdict ? `${r.verdict.verdict} (${r.verdict.reason})` : 'not finished'}`];
  for (const s of r.stages) {
    const f = s.figures;
    const n = f.totals?.episodes ?? f.episodes.length;
    const k = f.totals?.successes ?? f.episodes.filter((e) => e.success).length;
    const figures = [n > 0 ? `success ${pct(k / n)} of ${n}` : '', f.inference ? `${ms(f.inference.meanMs)}/step` : '', typeof f.acceptance === 'number' ? `acceptance ${f.acceptance.toFixed(2)}` : '']
      .filter(Boolean)
      .join(', ');
    out.push(`  ${s.step.padEnd(10)} exit ${s.exitCode ?? s.signal}  ${figures}`.trimEnd());
  }
  const c = r.comparison;
  if (c) {
    const t = r.stages.find((s) => s.step === c.treatment)!;
    const b = r.stages.find((s) => s.step === c.baseline)!;
    const barWidth = Math.max(10, Math.min(40, width - 30));
    out.push(`success per task (${c.treatment} vs ${c.baseline}):`);
    out.push(...taskBars([{ name: c.treatment, tasks: t.figures.tasks }, { name: c.baseline, tasks: b.figures.tasks }], barWidth).map((l) => `  ${l}`));
    const times = (s: typeof t) => s.figures.episodes.flatMap((e) => (e.inferenceMs === undefined ? [] : [e.inferenceMs]));
    const lines = timingLines([{ name: c.treatment, values: times(t) }, { name: c.baseline, values: times(b) }], Math.max(10, Math.min(60, width - 50)));
    if (lines.length > 0) out.push('inference time over episodes:', ...lines.map((l) => `  ${l}`));
    const sp = c.speedup;
    if (sp) out.push(`speedup ${sp.ratio.toFixed(2)}x${sp.low !== undefined ? ` (95% interval ${sp.low.toFixed(2)}-${sp.high!.toFixed(2)}x)` : ' (stage averages only, no spread)'}`);
  }
  for (const e of r.earlyStops) out.push(`early stop of ${e.step}: ${e.evidence}`);
  for (const c of r.crossChecks) out.push(`results file of ${c.step}: ${c.text}`);
  if (r.checklist.length > 0) {
    const failed = r.checklist.filter((x) => !x.passed);
    out.push(`checklist: ${r.checklist.length - failed.length}/${r.checklist.length} passed${failed.map((x) => `\n  FAIL ${x.item}: ${x.detail}`).join('')}`);
  }
  out.push(`remediations: ${r.remediations.length === 0 ? 'none' : r.remediations.map((x) => `${x.remediation} (${x.step})`).join(', ')}`);
  out.push(`cost: ${r.cost.turns} turns, ${int(r.cost.tokens)} tokens, ${dollars(r.cost.dollars)}, wall time ${duration(r.cost.wallMs)}`);
  return out.join('\n') + '\n';
}
