import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * The statistics a reader of the report needs to tell a difference from noise, at 95%:
 * exact (Clopper-Pearson) intervals on success rates, the difference of two stages' success
 * pooled (Newcombe's interval from Wilson scores, Fisher's exact test) and paired (exact McNemar
 * over episodes that started from the same initial state; a paired t-test over tasks), and
 * Student t quantiles for the actual degrees of freedom wherever a mean is estimated. The
 * distribution functions are stdlib's.
 */

export const CONFIDENCE = 0.95;

export interface Interval {
  low: number;
  high: number;
}

/** Exact binomial interval of k successes in n: never narrower than the truth allows. */
export function clopperPearson(k: number, n: number, confidence = CONFIDENCE): Interval {
  const a = (1 - confidence) / 2;
  return { low: k === 0 ? 0 : betaQuantile(a, k, n - k + 1), high: k === n ? 1 : betaQuantile(1 - a, k + 1, n - k) };
}

/** Wilson score interval: the building block of Newcombe's interval for a difference. */
export function wilson(k: number, n: number, confidence = CONFIDENCE): Interval {
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Counts {
  successes: number;
  episodes: number;
}

/** Two-sided Fisher exact test of a 2x2 table: the tables no likelier than the one observed. */
export function fisherExact(t: Counts, b: Counts): number {
  const population = t.episodes + b.episodes;
  const successes = t.successes + b.successes;
  const pmf = (x: number) => hypergeometricPmf(x, population, successes, t.episodes);
  const observed = pmf(t.successes);
  let p = 0;
  for (let x = Math.max(0, successes - b.episodes); x <= Math.min(successes, t.episodes); x++) {
    const q = pmf(x);
    if (q <= observed * (1 + 1e-7)) p += q;
  }
  return Math.min(1, p);
}

export interface PooledDifference extends Interval {
  /** Treatment success rate minus baseline's. */
  difference: number;
  /** Fisher's exact test, two-sided. */
  p: number;
}

export function pooledDifference(t: Counts, b: Counts, confidence = CONFIDENCE): PooledDifference {
  const p1 = t.successes / t.episodes;
  const p2 = b.successes / b.episodes;
  const w1 = wilson(t.successes, t.episodes, confidence);
  const w2 = wilson(b.successes, b.episodes, confidence);
  const d = p1 - p2;
  return {
    difference: d,
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
    p: fisherExact(t, b),
  };
}

export interface McNemar {
  /** Pairs where only the treatment succeeded, and only the baseline. */
  treatmentOnly: number;
  baselineOnly: number;
  pairs: number;
  /** Exact (binomial) two-sided p-value on the discordant pairs. */
  p: number;
}

export function mcnemarExact(treatmentOnly: number, baselineOnly: number, pairs: number): McNemar {
  const discordant = treatmentOnly + baselineOnly;
  const p = discordant === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(treatmentOnly, baselineOnly), discordant, 0.5));
  return { treatmentOnly, baselineOnly, pairs, p };
}

export interface PairedT extends Interval {
  mean: number;
  df: number;
  /** Two-sided p-value of "the mean difference is zero". */
  p: number;
}

/** Paired t-test over units (tasks): the mean of the differences with its t interval. */
export function pairedT(differences: number[], confidence = CONFIDENCE): PairedT | undefined {
  const n = differences.length;
  if (n < 2) return undefined;
  const mean = differences.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(differences.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const df = n - 1;
  const se = sd / Math.sqrt(n);
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  const p = se === 0 ? (mean === 0 ? 1 : 0) : 2 * (1 - tCdf(Math.abs(mean / se), df));
  return { mean, low: mean - half, high: mean + half, df, p };
}

/** Welch-Satterthwaite degrees of freedom of the sum of two variance terms v = s^2/n. */
export function welchDf(v1: number, n1: number, v2: number, n2: number): number {
  return (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1));
}

/** The two-sided t quantile for `df` degrees of freedom at the report's confidence. */
export const tCritical = (df: number, confidence = CONFIDENCE) => tQuantile(1 - (1 - confidence) / 2, df);

/** `p = 0.032`, `p < 0.001`. */
export const pValue = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
