import type { Comparison, RunReport, StageReport } from './model.js';
import type { Block, Section } from './document.js';
import { labelOf, stageOf } from './stages.js';
import { countsOf, differenceItems, differenceOf, rateCompact, rateWithInterval } from './difference.js';
import { conditionItems } from './conditions.js';
import { cell, ms } from './format.js';
import { taskBars, timingLines } from './text-charts.js';
import { pooledFigures, speedupOf } from './stats.js';
import type { StageFigures } from '../results/libero-log.js';

/**
 * Treatment against baseline. A run without fan-out has one comparison and its sections as they
 * always were; a run fanned out over suites gets a table of all suites first, then the same
 * sections for each suite, then one timing breakdown of every stage.
 */
export function comparisonSections(r: RunReport): Section[] {
  if (r.comparisons.length === 0) return [];
  const suites = r.comparisons.filter((c) => c.item !== undefined);
  return [
    ...(suites.length > 0 ? [suitesSection(r, suites)] : []),
    ...r.comparisons.flatMap((c) => oneComparison(r, c)),
    { title: 'Acceptance and timing breakdown', blocks: [breakdown(r.stages.filter((s) => s.figures.inference))] },
  ];
}

export const timesOf = (s: StageReport) => s.figures.episodes.flatMap((e) => (e.inferenceMs === undefined ? [] : [e.inferenceMs]));

export const successRate = (s: StageReport) =>
  s.figures.totals?.successRate ?? (s.figures.episodes.length ? s.figures.episodes.filter((e) => e.success).length / s.figures.episodes.length : undefined);

/** The two stages a comparison names. */
export function compared(r: RunReport, c: Comparison): { t: StageReport; b: StageReport } {
  return { t: stageOf(r.stages, c.treatment, c.item)!, b: stageOf(r.stages, c.baseline, c.item)! };
}

/** `1.65x (1.64-1.66)`, or from the stage averages only, or not measured. */
export function speedupCell(c: Comparison): string {
  const sp = c.speedup;
  if (!sp) return 'n/a';
  return sp.low !== undefined ? `${sp.ratio.toFixed(2)}x (${sp.low.toFixed(2)}-${sp.high!.toFixed(2)})` : `${sp.ratio.toFixed(2)}x (averages only)`;
}

const acceptanceOf = (s: StageReport) => (typeof s.figures.acceptance === 'number' ? s.figures.acceptance.toFixed(2) : 'n/a');

/** One row per suite: the figures a reader compares across suites at a glance. */
function suitesSection(r: RunReport, suites: Comparison[]): Section {
  const [first] = suites as [Comparison];
  const rows = suites.map((c) => {
    const { t, b } = compared(r, c);
    const other = c.treatment !== first.treatment || c.baseline !== first.baseline ? ` (\`${c.treatment}\` vs \`${c.baseline}\`)` : '';
    return [`${cell(c.item!)}${other}`, rateCompact(countsOf(t.figures)), rateCompact(countsOf(b.figures)), ms(t.figures.inference?.meanMs), ms(b.figures.inference?.meanMs), speedupCell(c), acceptanceOf(t)];
  });
  const pooled = pooledComparison(r, suites);
  if (pooled) {
    const { t, b } = pooled;
    const acceptance = typeof t.acceptance === 'number' ? t.acceptance.toFixed(2) : 'n/a';
    rows.push(['all suites (pooled)', rateCompact(countsOf(t)), rateCompact(countsOf(b)), ms(t.inference?.meanMs), ms(b.inference?.meanMs), pooled.cell, acceptance]);
  }
  return {
    title: `Suites: ${labelOf(r.labels, first.treatment)} vs ${labelOf(r.labels, first.baseline)}`,
    blocks: [
      {
        kind: 'p',
        text: `Each suite ran as its own command; success with its exact 95% interval; the speedup is per suite, with its 95% interval where per-episode timing was printed${pooled ? "; the last row pools every suite's episodes" : ''}.`,
      },
      {
        kind: 'table',
        head: ['Suite', ...['Success', 'Inference'].flatMap((x) => [first.treatment, first.baseline].map((s) => `${x} ${cell(labelOf(r.labels, s))}`)), 'Speedup', 'Acceptance'],
        rows,
        align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      },
    ],
  };
}

/** Every suite's episodes as one sample, when the suites compare the same two stages. */
export function pooledComparison(r: RunReport, suites: Comparison[]): { t: StageFigures; b: StageFigures; cell: string } | undefined {
  const [first] = suites;
  if (!first || suites.length < 2 || suites.some((c) => c.treatment !== first.treatment || c.baseline !== first.baseline)) return undefined;
  const t = pooledFigures(suites.map((c) => compared(r, c).t.figures));
  const b = pooledFigures(suites.map((c) => compared(r, c).b.figures));
  return { t, b, cell: speedupCell({ treatment: first.treatment, baseline: first.baseline, speedup: speedupOf(b, t) }) };
}

function oneComparison(r: RunReport, c: Comparison): Section[] {
  const { t, b } = compared(r, c);
  const [lt, lb] = [labelOf(r.labels, c.treatment), labelOf(r.labels, c.baseline)];
  const sp = c.speedup;
  const df = sp?.df === undefined ? '' : `, t with ${Math.round(sp.df)} df`;
  const speed = !sp
    ? 'Speedup: not measured (a stage printed no inference time).'
    : sp.low !== undefined
      ? `Speedup: **${sp.ratio.toFixed(2)}x** (95% interval ${sp.low.toFixed(2)}-${sp.high!.toFixed(2)}x${df}), the mean of per-episode inference times of \`${c.baseline}\` (${ms(sp.baseline!.mean)}, p10-p90 ${sp.baseline!.p10.toFixed(1)}-${sp.baseline!.p90.toFixed(1)}) over \`${c.treatment}\` (${ms(sp.treatment!.mean)}, p10-p90 ${sp.treatment!.p10.toFixed(1)}-${sp.treatment!.p90.toFixed(1)}), ${sp.episodes.baseline} and ${sp.episodes.treatment} episodes.`
      : `Speedup: **${sp.ratio.toFixed(2)}x** from the stage averages only; the output has no per-episode timing, so there is no spread to report.`;
  // Without fan-out the titles are as they always were; per suite they name it.
  const titled = (title: string, lower: string) => (c.item === undefined ? title : `${c.item}: ${lower}`);
  const diff = differenceOf(t.figures, b.figures);
  const rate = (s: StageReport) => rateWithInterval(...countsArgs(s));
  const head = {
    title: titled(`${lt} vs ${lb}`, `${lt} vs ${lb}`),
    blocks: [
      {
        kind: 'list',
        items: [
          ...conditionItems(r, t, b),
          `Success: ${rate(t)} with ${named(lt, c.treatment)}, ${rate(b)} with ${named(lb, c.baseline)}`,
          ...(diff ? differenceItems(diff, lt, lb) : []),
          `Inference per step: ${ms(t.figures.inference?.meanMs)} vs ${ms(b.figures.inference?.meanMs)}`,
          speed,
        ],
      },
    ],
  } satisfies Section;
  const item = c.item === undefined ? {} : { item: c.item };
  const timing = [timesOf(t), timesOf(b)];
  const timingBlocks: Block[] =
    timing[0]!.length + timing[1]!.length > 0
      ? [{ kind: 'chart', chart: 'timing', ...item, text: timingLines([{ name: lt, values: timing[0]! }, { name: lb, values: timing[1]! }]) }]
      : [{ kind: 'p', text: 'The output has no per-episode timing (`Episode inference time:` lines); only the stage averages above are known.' }];
  return [
    head,
    {
      title: titled('Success per task', 'success per task'),
      blocks: [
        { kind: 'chart', chart: 'tasks', ...item, text: taskBars([{ name: lt, tasks: t.figures.tasks }, { name: lb, tasks: b.figures.tasks }]) },
        { kind: 'p', text: 'Each rate with its exact (Clopper-Pearson) 95% interval, drawn as error bars in the HTML chart.' },
        taskTable(t, b, lt, lb),
      ],
    },
    { title: titled('Inference time over episodes', 'inference time over episodes'), blocks: timingBlocks },
  ];
}

function taskTable(t: StageReport, b: StageReport, lt: string, lb: string): Block {
  const ids = [...new Set([...t.figures.tasks, ...b.figures.tasks].map((x) => x.task))].sort((x, y) => x - y);
  const rate = (s: StageReport, id: number) => {
    const x = s.figures.tasks.find((k) => k.task === id);
    return x ? rateWithInterval(x.successes, x.episodes) : 'n/a';
  };
  const desc = (id: number) => t.figures.tasks.find((k) => k.task === id)?.description ?? b.figures.tasks.find((k) => k.task === id)?.description ?? '';
  return { kind: 'table', head: ['Task', 'Description', cell(lt), cell(lb)], rows: ids.map((id) => [String(id), cell(desc(id)), rate(t, id), rate(b, id)]), align: ['r', 'l', 'r', 'r'] };
}

/** A stage by its label, with its step id when the two differ. */
const named = (label: string, step: string) => (label === step ? `\`${step}\`` : `${label} (\`${step}\`)`);

const countsArgs = (s: StageReport): [number, number] => {
  const { successes, episodes } = countsOf(s.figures);
  return [successes, episodes];
};

function breakdown(stages: StageReport[]): Block {
  const suites = stages.some((s) => s.item !== undefined);
  const rows = stages.map((s) => {
    const i = s.figures.inference!;
    const times = timesOf(s);
    const spread = times.length > 0 ? `${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)} ms` : 'n/a';
    const acc = s.figures.acceptance;
    const figures = [acc === undefined || acc === null ? 'n/a' : acc.toFixed(2), ms(i.meanMs), ms(i.draftMs), ms(i.mainMs), spread];
    return [`\`${s.step}\``, ...(suites ? [cell(s.item ?? '')] : []), ...figures];
  });
  const head = ['Stage', ...(suites ? ['Suite'] : []), 'Draft acceptance', 'Mean/step', 'Draft', 'Main', 'Episode means (min-max)'];
  return { kind: 'table', head, rows, align: ['l', ...(suites ? (['l'] as const) : []), 'r', 'r', 'r', 'r', 'r'] };
}
