import type { StageFigures } from '../results/libero-log.js';
import { tCritical, welchDf } from './significance.js';

/** Mean, standard deviation and quantiles of a sample. */
export interface Summary {
  n: number;
  mean: number;
  sd: number;
  p10: number;
  p90: number;
}

export function summarize(xs: number[]): Summary | undefined {
  const n = xs.length;
  if (n === 0) return undefined;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { n, mean, sd, p10: q(0.1), p90: q(0.9) };
}

export interface Speedup {
  /** Baseline time per step over treatment time per step. */
  ratio: number;
  /** 95% interval of the ratio; absent when the output had no per-episode timing. */
  low?: number;
  high?: number;
  /** Welch-Satterthwaite degrees of freedom of the interval's t quantile. */
  df?: number;
  /** Episodes with timing on each side (0 when only the stage averages were printed). */
  episodes: { baseline: number; treatment: number };
  /** Per-episode mean times, when the output gives them. */
  baseline?: Summary;
  treatment?: Summary;
}

/**
 * The measured speedup, not an assumed one. With per-episode timing, the ratio of the mean
 * episode times and its 95% interval by the delta method on the log ratio, with the Student t
 * quantile for the Welch-Satterthwaite degrees of freedom (episodes are the independent units;
 * steps within an episode are not). Without it, only the ratio of the stage averages, with no
 * spread to claim.
 */
export function speedupOf(baseline: StageFigures, treatment: StageFigures): Speedup | undefined {
  const times = (f: StageFigures) => f.episodes.flatMap((e) => (e.inferenceMs === undefined ? [] : [e.inferenceMs]));
  const b = summarize(times(baseline));
  const t = summarize(times(treatment));
  if (b && t && b.n > 1 && t.n > 1 && t.mean > 0) {
    const ratio = b.mean / t.mean;
    const vb = b.sd ** 2 / (b.n * b.mean ** 2);
    const vt = t.sd ** 2 / (t.n * t.mean ** 2);
    const se = Math.sqrt(vb + vt);
    const df = se > 0 ? welchDf(vb, b.n, vt, t.n) : b.n + t.n - 2;
    const q = tCritical(df);
    return { ratio, low: ratio * Math.exp(-q * se), high: ratio * Math.exp(q * se), df, episodes: { baseline: b.n, treatment: t.n }, baseline: b, treatment: t };
  }
  const bm = baseline.inference?.meanMs;
  const tm = treatment.inference?.meanMs;
  if (bm === undefined || tm === undefined || tm <= 0) return undefined;
  return { ratio: bm / tm, episodes: { baseline: 0, treatment: 0 } };
}

/**
 * One stage's figures over several suites as one: episodes joined, counts summed, the mean time
 * per step and the acceptance rate weighted by episodes. The merged report's pooled row.
 */
export function pooledFigures(all: StageFigures[]): StageFigures {
  const counts = all.map((f) => f.totals ?? { episodes: f.episodes.length, successes: f.episodes.filter((e) => e.success).length });
  const episodes = counts.reduce((n, c) => n + c.episodes, 0);
  const successes = counts.reduce((n, c) => n + c.successes, 0);
  const weighted = (value: (f: StageFigures) => number | null | undefined): number | undefined => {
    const values = all.map(value);
    if (episodes === 0 || values.some((v) => typeof v !== 'number')) return undefined;
    return values.reduce<number>((s, v, i) => s + (v as number) * counts[i]!.episodes, 0) / episodes;
  };
  const meanMs = weighted((f) => f.inference?.meanMs);
  const acceptance = weighted((f) => f.acceptance);
  return {
    episodes: all.flatMap((f) => f.episodes),
    live: all.reduce((s, f) => ({ episodes: s.episodes + f.live.episodes, successes: s.successes + f.live.successes, errors: s.errors + f.live.errors }), { episodes: 0, successes: 0, errors: 0 }),
    tasks: [],
    totals: { episodes, successes, ...(episodes > 0 && { successRate: successes / episodes }) },
    ...(meanMs !== undefined && { inference: { meanMs } }),
    ...(acceptance !== undefined && { acceptance }),
  };
}
