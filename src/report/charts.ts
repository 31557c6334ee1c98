import type { Comparison, RunReport } from './model.js';
import { labelOf, stageOf } from './stages.js';
import { clopperPearson } from './significance.js';

/**
 * The report's charts as Vega-Lite specifications, rendered to SVG by Vega in Node (no browser,
 * no canvas): the same data and spec give the same SVG, so the page is reproducible.
 */

const COLORS = ['#4c78a8', '#f58518'];
const WIDTH = 640;

/** Per suite in a fanned-out run: `Success per task: libero_object`. */
const titled = (title: string, c: Comparison) => (c.item === undefined ? title : `${title}: ${c.item}`);

/**
 * Success per task, the two compared stages side by side: one bar per task and stage, with its
 * exact 95% interval as an error bar (on 50 episodes a task is known to about +-10 points).
 */
export function taskChartSpec(r: RunReport, c: Comparison): object {
  const stages = [labelOf(r.labels, c.treatment), labelOf(r.labels, c.baseline)];
  const values = [c.treatment, c.baseline].flatMap((step) =>
    (stageOf(r.stages, step, c.item)?.figures.tasks ?? []).map((t) => {
      const ci = t.episodes > 0 ? clopperPearson(t.successes, t.episodes) : { low: 0, high: 0 };
      return {
        task: `T${t.task}`,
        order: t.task,
        stage: labelOf(r.labels, step),
        success: t.episodes > 0 ? t.successes / t.episodes : 0,
        low: ci.low,
        high: ci.high,
        label: `${t.successes}/${t.episodes}`,
        description: t.description ?? '',
      };
    }),
  );
  const y = { type: 'quantitative', title: 'Success rate (95% CI)', scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titled('Success per task', c),
    width: WIDTH,
    height: 260,
    data: { values },
    encoding: {
      x: { field: 'task', type: 'ordinal', sort: { field: 'order', op: 'min' }, title: 'Task', axis: { labelAngle: 0 } },
      xOffset: { field: 'stage', sort: stages },
      color: { field: 'stage', type: 'nominal', sort: stages, scale: { range: COLORS }, title: 'Stage', legend: { labelLimit: 260 } },
    },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.85 },
        encoding: {
          y: { field: 'success', ...y },
          tooltip: [{ field: 'stage' }, { field: 'description' }, { field: 'label', title: 'successes' }, { field: 'low', format: '.1%' }, { field: 'high', format: '.1%' }],
        },
      },
      // The interval: a dark rule from low to high over each bar.
      {
        name: 'error_bars',
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { y: { field: 'low', ...y }, y2: { field: 'high' }, color: { value: '#222' } },
      },
    ],
  };
}

/** Mean inference time of each episode, one line per compared stage. */
export function timingChartSpec(r: RunReport, c: Comparison): object | undefined {
  const values = [c.treatment, c.baseline].flatMap((step) =>
    (stageOf(r.stages, step, c.item)?.figures.episodes ?? []).flatMap((e) =>
      e.inferenceMs === undefined ? [] : [{ episode: e.n, ms: e.inferenceMs, stage: labelOf(r.labels, step) }],
    ),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titled('Inference time over episodes', c),
    width: WIDTH,
    height: 240,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.2 },
    encoding: {
      x: { field: 'episode', type: 'quantitative', title: 'Episode' },
      y: { field: 'ms', type: 'quantitative', title: 'Mean inference time (ms/step)', scale: { zero: false } },
      color: { field: 'stage', type: 'nominal', sort: [labelOf(r.labels, c.treatment), labelOf(r.labels, c.baseline)], scale: { range: COLORS }, title: 'Stage' },
    },
  };
}

/** Vega-Lite -> Vega -> SVG, headless. Loaded on demand: only the HTML report needs Vega. */
export async function toSvg(spec: object): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
