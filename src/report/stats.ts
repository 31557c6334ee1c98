import type { StageFigures } from '../results/libero-log.js';

/** Mean, standard deviation and quantiles of a sample. */
export interface Summary {
  n: number;
  mean: number;
  sd: number;
  p10: number;
  p50: number;
  p90: number;
}

export function summarize(xs: number[]): Summary | undefined {
  const n = xs.length;
  if (n === 0) return undefined;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { n, mean, sd, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

export interface Speedup {
  /** Baseline time per step over treatment time per step. */
  ratio: number;
  /** 95% interval of the ratio; absent when the output had no per-episode timing. */
  low?: number;
  high?: number;
  /** Episodes with timing on each side (0 when only the stage averages were printed). */
  episodes: { baseline: number; treatment: number };
  /** Per-episode mean times, when the output gives them. */
  baseline?: Summary;
  treatment?: Summary;
}

/**
 * The measured speedup, not an assumed one. With per-episode timing, the ratio of the mean
 * episode times and its 95% interval by the delta method on the log ratio (episodes are the
 * independent units; steps within an episode are not). Without it, only the ratio of the stage
 * averages, with no spread to claim.
 */
export function speedupOf(baseline: StageFigures, treatment: StageFigures): Speedup | undefined {
  const times = (f: StageFigures) => f.episodes.flatMap((e) => (e.inferenceMs === undefined ? [] : [e.inferenceMs]));
  const b = summarize(times(baseline));
  const t = summarize(times(treatment));
  if (b && t && b.n > 1 && t.n > 1 && t.mean > 0) {
    const ratio = b.mean / t.mean;
    const se = Math.sqrt(b.sd ** 2 / (b.n * b.mean ** 2) + t.sd ** 2 / (t.n * t.mean ** 2));
    return { ratio, low: ratio * Math.exp(-1.96 * se), high: ratio * Math.exp(1.96 * se), episodes: { baseline: b.n, treatment: t.n }, baseline: b, treatment: t };
  }
  const bm = baseline.inference?.meanMs;
  const tm = treatment.inference?.meanMs;
  if (bm === undefined || tm === undefined || tm <= 0) return undefined;
  return { ratio: bm / tm, episodes: { baseline: 0, treatment: 0 } };
}
