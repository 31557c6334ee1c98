import type { TaskResult } from '../results/libero-log.js';

/** Compact charts in plain characters, for the terminal and the Markdown report. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `width` cells for a value in [0, 1], in eighths of a cell. */
export function bar(value: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, value)) * width * 8);
  const full = Math.floor(eighths / 8);
  return ('█'.repeat(full) + EIGHTHS[eighths % 8]).padEnd(width, ' ');
}

/** Success per task, one line per stage and task: `T1 full      █████████▎ 92.0%`. */
export function taskBars(series: Array<{ name: string; tasks: TaskResult[] }>, width = 30): string[] {
  const tasks = [...new Set(series.flatMap((s) => s.tasks.map((t) => t.task)))].sort((a, b) => a - b);
  const nameWidth = Math.max(...series.map((s) => s.name.length));
  const out: string[] = [];
  for (const task of tasks) {
    for (const s of series) {
      const t = s.tasks.find((x) => x.task === task);
      const rate = t && t.episodes > 0 ? t.successes / t.episodes : undefined;
      const label = `T${task}`.padEnd(4);
      out.push(`${label}${s.name.padEnd(nameWidth)} ${rate === undefined ? ''.padEnd(width) : bar(rate, width)} ${rate === undefined ? 'n/a' : `${(rate * 100).toFixed(1)}%`}`.trimEnd());
    }
  }
  return out;
}

/**
 * A sparkline of `values` squeezed into `width` cells (each cell the mean of its slice), on a
 * scale shared by every line drawn with the same `range`.
 */
export function sparkline(values: number[], width: number, range: [number, number]): string {
  if (values.length === 0) return '';
  const cells = Math.min(width, values.length);
  const [lo, hi] = range;
  let out = '';
  for (let i = 0; i < cells; i++) {
    const slice = values.slice(Math.floor((i * values.length) / cells), Math.floor(((i + 1) * values.length) / cells));
    const mean = slice.reduce((a, x) => a + x, 0) / slice.length;
    const level = hi > lo ? Math.round(((mean - lo) / (hi - lo)) * (BLOCKS.length - 1)) : 0;
    out += BLOCKS[Math.max(0, Math.min(BLOCKS.length - 1, level))];
  }
  return out;
}

/** Inference time over episodes, one sparkline per stage on a common scale. */
export function timingLines(series: Array<{ name: string; values: number[] }>, width = 60): string[] {
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return [];
  const range: [number, number] = [Math.min(...all), Math.max(...all)];
  const nameWidth = Math.max(...series.map((s) => s.name.length));
  return series
    .filter((s) => s.values.length > 0)
    .map((s) => {
      const mean = s.values.reduce((a, x) => a + x, 0) / s.values.length;
      return `${s.name.padEnd(nameWidth)} ${sparkline(s.values, width, range)} mean ${mean.toFixed(1)} ms/step over ${s.values.length} episodes`;
    })
    .concat(`${''.padEnd(nameWidth)} scale ${range[0].toFixed(1)}-${range[1].toFixed(1)} ms/step`);
}
