import type { StageFigures } from '../results/libero-log.js';
import { clopperPearson, mcnemarExact, pairedT, pooledDifference, pValue, type McNemar, type PairedT, type PooledDifference } from './significance.js';
import { pct } from './format.js';

/**
 * Whether two stages' success differs: pooled over all episodes, paired by episode (LIBERO
 * starts episode j of a task from the same initial state in every stage, so the two stages'
 * episode j of task i form a pair), and paired over tasks (each task's rate difference).
 */
export interface Difference {
  pooled: PooledDifference;
  mcnemar?: McNemar;
  tasks?: PairedT & { n: number };
}

export function countsOf(f: StageFigures): { successes: number; episodes: number } {
  return { episodes: f.totals?.episodes ?? f.episodes.length, successes: f.totals?.successes ?? f.episodes.filter((e) => e.success).length };
}

/** `88.2% (441/500; 95% CI 85.1-90.8%)`, the interval exact (Clopper-Pearson). */
export function rateWithInterval(successes: number, episodes: number): string {
  if (episodes === 0) return 'n/a';
  const ci = clopperPearson(successes, episodes);
  return `${pct(successes / episodes)} (${successes}/${episodes}; 95% CI ${pct(ci.low)}-${pct(ci.high)})`;
}

/** `88.2% (85.0-90.9)`: for tables with a column per stage. */
export function rateCompact(c: { successes: number; episodes: number }): string {
  if (c.episodes === 0) return 'n/a';
  const ci = clopperPearson(c.successes, c.episodes);
  return `${pct(c.successes / c.episodes)} (${(ci.low * 100).toFixed(1)}-${(ci.high * 100).toFixed(1)})`;
}

/** Episodes keyed by task and their order within it. */
function byTaskAndOrder(f: StageFigures): Map<string, boolean> {
  const seen = new Map<number, number>();
  const out = new Map<string, boolean>();
  for (const e of f.episodes) {
    const j = (seen.get(e.task) ?? 0) + 1;
    seen.set(e.task, j);
    out.set(`${e.task}:${j}`, e.success);
  }
  return out;
}

export function differenceOf(t: StageFigures, b: StageFigures): Difference | undefined {
  const ct = countsOf(t);
  const cb = countsOf(b);
  if (ct.episodes === 0 || cb.episodes === 0) return undefined;
  const out: Difference = { pooled: pooledDifference(ct, cb) };
  const et = byTaskAndOrder(t);
  const eb = byTaskAndOrder(b);
  let onlyT = 0;
  let onlyB = 0;
  let pairs = 0;
  for (const [key, st] of et) {
    const sb = eb.get(key);
    if (sb === undefined) continue;
    pairs++;
    if (st && !sb) onlyT++;
    if (sb && !st) onlyB++;
  }
  if (pairs > 0) out.mcnemar = mcnemarExact(onlyT, onlyB, pairs);
  const rates = (f: StageFigures) => new Map(f.tasks.filter((x) => x.episodes > 0).map((x) => [x.task, x.successes / x.episodes]));
  const rt = rates(t);
  const rb = rates(b);
  const diffs = [...rt].flatMap(([task, r]) => (rb.has(task) ? [r - rb.get(task)!] : []));
  const paired = pairedT(diffs);
  if (paired) out.tasks = { ...paired, n: diffs.length };
  return out;
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

/** The difference as the report's list items, naming the stages by their labels. */
export function differenceItems(d: Difference, treatment: string, baseline: string): string[] {
  const p = d.pooled;
  const items = [
    `Difference in success (${treatment} minus ${baseline}): **${points(p.difference)} points** (95% CI ${points(p.low)} to ${points(p.high)}, Newcombe); Fisher's exact test ${pValue(p.p)}.`,
  ];
  if (d.mcnemar) {
    const m = d.mcnemar;
    items.push(
      `Paired by episode (same task, same initial state; ${m.pairs} pairs): ${m.treatmentOnly} succeeded only with ${treatment}, ${m.baselineOnly} only with ${baseline}; exact McNemar ${pValue(m.p)}.`,
    );
  }
  if (d.tasks) {
    const t = d.tasks;
    items.push(
      `Paired over ${t.n} tasks: mean per-task difference ${points(t.mean)} points (95% t interval ${points(t.low)} to ${points(t.high)}, df ${t.df}); paired t-test ${pValue(t.p)}.`,
    );
  }
  return items;
}
