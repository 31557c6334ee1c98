import { describe, expect, it } from 'vitest';
import { rsdPhase3Run, SUITES } from '../../tests/helpers/libero-run.js';
import { buildReport } from './model.js';
import { reportDocument } from './document.js';
import { renderMarkdown } from './markdown.js';
import { renderTerminal } from './terminal.js';
import { renderHtml } from './html.js';

const [SPATIAL, OBJECT] = SUITES;

describe('the report of a run fanned out over two suites', () => {
  const report = buildReport(rsdPhase3Run(SUITES).events);
  const md = renderMarkdown(reportDocument(report));

  it('has a stage per step and suite: the last command of each, suites in the order of the list', () => {
    expect(report.stages.map((s) => [s.step, s.item, s.commandId, s.attempts, s.exitCode])).toEqual([
      ['smoke', SPATIAL, 'c1', 1, 0],
      ['smoke', OBJECT, 'c3', 2, 0],
      ['full', SPATIAL, 'c4', 1, 0],
      ['full', OBJECT, 'c5', 1, 0],
      ['baseline', SPATIAL, 'c6', 1, 0],
      ['baseline', OBJECT, 'c7', 1, 0],
    ]);
    // Each stage reads only its own command's lines, though they were interleaved.
    expect(report.stages.map((s) => [s.figures.suite, s.figures.totals?.episodes])).toEqual([
      [SPATIAL, 2], [OBJECT, 2], [SPATIAL, 20], [OBJECT, 12], [SPATIAL, 20], [OBJECT, 12],
    ]);
  });

  it('compares full against baseline per suite, each speedup from its own episodes', () => {
    expect(report.comparisons.map((c) => [c.item, c.treatment, c.baseline])).toEqual([
      [SPATIAL, 'full', 'baseline'],
      [OBJECT, 'full', 'baseline'],
    ]);
    const [spatial, object] = report.comparisons.map((c) => c.speedup!);
    expect(spatial!.ratio).toBeCloseTo(85 / 50, 1);
    expect(object!.ratio).toBeCloseTo(80 / 40, 1);
    expect(object!.episodes).toEqual({ baseline: 12, treatment: 12 });
    expect(spatial!.low).toBeLessThan(spatial!.ratio);
  });

  it('names the suite of early stops and results files', () => {
    expect(report.earlyStops).toEqual([{ commandId: 'c2', step: 'smoke', item: OBJECT, evidence: 'the process ran out of GPU memory' }]);
    expect(report.crossChecks.map((c) => [c.step, c.item])).toEqual([['full', SPATIAL], ['full', OBJECT], ['baseline', SPATIAL], ['baseline', OBJECT]]);
    expect(md).toContain(`- \`smoke\` [${OBJECT}] (c2): the process ran out of GPU memory`);
    expect(md).toContain(`- agrees: \`baseline\` [${OBJECT}] rsd-results/baseline.json agrees with the log`);
  });

  it('merges the suites in one table: success, inference, speedup and acceptance per suite', () => {
    const [spatial, object] = report.comparisons.map((c) => c.speedup!);
    const x = (r: number) => r.toFixed(2);
    expect(md).toContain('## Suites: full vs baseline');
    expect(md).toContain('| Suite | Success full | Success baseline | Inference full | Inference baseline | Speedup | Acceptance |');
    expect(md).toContain(`| ${SPATIAL} | 85.0% (62.1-96.8) | 90.0% (68.3-98.8) | 50.0 ms | 85.0 ms | ${x(spatial!.ratio)}x (${x(spatial!.low!)}-${x(spatial!.high!)}) | 0.71 |`);
    expect(md).toContain(`| ${OBJECT} | 91.7% (61.5-99.8) | 91.7% (61.5-99.8) | 40.1 ms | 80.1 ms | ${x(object!.ratio)}x (${x(object!.low!)}-${x(object!.high!)}) | 0.80 |`);
    // Pooled by hand: 17+11 of 20+12 and 18+11 of 32 episodes; (50.0*20 + 40.1*12)/32 and
    // (85.0*20 + 80.1*12)/32 ms per step; acceptance (0.71*20 + 0.80*12)/32.
    expect(md).toMatch(/^\| all suites \(pooled\) \| 87\.5% \(71\.0-96\.5\) \| 90\.6% \(75\.0-98\.0\) \| 46\.3 ms \| 83\.2 ms \| 1\.80x \(1\.\d\d-1\.\d\d\) \| 0\.74 \|$/m);
  });

  it('has the comparison sections once per suite, with their own tasks', () => {
    const titles = reportDocument(report).sections.map((s) => s.title);
    expect(titles).toEqual([
      'Summary', 'Run metadata', 'Stages', 'Suites: full vs baseline',
      `${SPATIAL}: full vs baseline`, `${SPATIAL}: success per task`, `${SPATIAL}: inference time over episodes`,
      `${OBJECT}: full vs baseline`, `${OBJECT}: success per task`, `${OBJECT}: inference time over episodes`,
      'Acceptance and timing breakdown', 'Early stops', 'Results files', 'Checklist', 'Remediations', 'Cost',
    ]);
    const rate = String.raw`[0-9.]+% \((\d\/\d); 95% CI [0-9.]+%-[0-9.]+%\)`;
    const perTask = [...md.matchAll(new RegExp(String.raw`^\| (\d) \| (libero_\w+) task \d \| ${rate} \| ${rate} \|$`, 'gm'))].map((m) => [m[2], m[1], m[3], m[4]]);
    expect(perTask).toEqual([
      [SPATIAL, '1', '5/5', '5/5'], [SPATIAL, '2', '4/5', '5/5'], [SPATIAL, '3', '5/5', '4/5'], [SPATIAL, '4', '3/5', '4/5'],
      [OBJECT, '1', '4/4', '4/4'], [OBJECT, '2', '4/4', '3/4'], [OBJECT, '3', '3/4', '4/4'],
    ]);
    expect(md).toContain(`| \`smoke\` | ${OBJECT} | 0 | 2 | 2 | 100.0% (2/2; 95% CI 15.8%-100.0%) |`);
    expect(md).toContain(`| pass | speedup at least 1.3x [${OBJECT}] | measured |`);
  });

  it('prints the suites and each comparison on the terminal', () => {
    const text = renderTerminal(report, 100);
    expect(text).toContain(`  full       ${OBJECT}  exit 0  success 91.7% of 12, 40.1 ms/step, acceptance 0.80`);
    expect(text).toMatch(new RegExp(`^suites \\(full vs baseline\\):\\n  ${SPATIAL} success 85\\.0% vs 90\\.0%, 50\\.0 ms vs 85\\.0 ms/step, speedup 1\\.\\d\\dx \\(.*\\), acceptance 0\\.71\\n  ${OBJECT}  success`, 'm'));
    expect(text).toContain('  all suites pooled: success 87.5% vs 90.6%, 46.3 ms vs 83.2 ms/step, speedup 1.80x');
    expect(text).toContain(`success per task (full vs baseline) on ${OBJECT}:`);
    expect(text.match(/^ {2}T\d /gm)).toHaveLength(2 * (4 + 3));
    expect(text).toMatch(new RegExp(`^speedup 2\\.\\d\\dx \\(95% interval .*\\) on ${OBJECT}$`, 'm'));
  });

  it('draws the success bars and the timing lines of each suite as SVG: one bar per task and stage', async () => {
    const html = await renderHtml(reportDocument(report), report);
    const figure = (chart: string, suite: string) => {
      const start = html.indexOf(`<figure class="chart" data-chart="${chart}" data-suite="${suite}">`);
      expect(start, `${chart} chart of ${suite}`).toBeGreaterThan(0);
      return html.slice(start, html.indexOf('</figure>', start));
    };
    /** Paths inside the mark groups of Vega's SVG: bars of a rect mark, one line per series of a line mark. */
    const marks = (svg: string, mark: string) =>
      svg.split(`<g class="mark-${mark} role-mark`).slice(1).reduce((n, group) => n + (group.slice(0, group.indexOf('</g>')).match(/<path/g) ?? []).length, 0);
    expect(marks(figure('tasks', SPATIAL), 'rect')).toBe(2 * 4);
    expect(marks(figure('tasks', OBJECT), 'rect')).toBe(2 * 3);
    expect(figure('tasks', OBJECT)).toContain(`Success per task: ${OBJECT}`);
    expect(marks(figure('timing', SPATIAL), 'line')).toBe(2);
    expect(html.match(/<figure class="chart"/g)).toHaveLength(4);
  });
});
