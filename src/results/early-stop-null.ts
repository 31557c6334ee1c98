import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';

/**
 * The null model of the block-aware early stop: LIBERO runs its tasks one after another, a
 * block of episodes each, and tasks differ. Under the null the stage's tasks draw their success
 * rates independently and evenly from [mean - spread, mean + spread] (clipped to [0, 1]), and a
 * task's episodes are independent draws at its rate. Exchangeable episodes are the special case
 * spread = 0. The successes after n episodes are then a sum of independent per-block mixtures
 * of binomials, computed here exactly (the mixture over the rate by a fine midpoint grid).
 */

/** Points of the midpoint grid over a task's success rate. */
const GRID = 41;

/** Probability of each success count in one block of `m` episodes. */
export function blockPmf(m: number, mean: number, spread: number): Float64Array {
  const out = new Float64Array(m + 1);
  const points = spread === 0 ? 1 : GRID;
  for (let g = 0; g < points; g++) {
    const rate = points === 1 ? mean : mean - spread + (2 * spread * (g + 0.5)) / points;
    const p = Math.min(1, Math.max(0, rate));
    for (let x = 0; x <= m; x++) out[x]! += binomialPmf(x, m, p) / points;
  }
  return out;
}

function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j]! += ai * b[j]!;
  }
  return out;
}

/**
 * P(successes <= s) for s = 0..n after n episodes in blocks of `block` (the last one partial).
 * With `block` undefined all episodes are one task: the most conservative reading.
 */
export function successCdf(n: number, mean: number, spread: number, block?: number): Float64Array {
  const size = block ?? n;
  const full = Math.floor(n / size);
  const rest = n - full * size;
  let pmf: Float64Array = Float64Array.of(1);
  const one = full > 0 ? blockPmf(size, mean, spread) : undefined;
  for (let i = 0; i < full; i++) pmf = convolve(pmf, one!);
  if (rest > 0) pmf = convolve(pmf, blockPmf(rest, mean, spread));
  let sum = 0;
  return pmf.map((p) => (sum = Math.min(1, sum + p)));
}

/**
 * The lower tail under the least favourable null: the largest P(successes <= s) over spreads
 * from 0 (exchangeable) up to `spread`. A higher mean only lowers the tail (every task's rate
 * shifts up), so the least favourable mean is the null's smallest.
 */
export function worstTail(n: number, mean: number, spread: number, block?: number): Float64Array {
  const spreads = [0, spread / 3, (2 * spread) / 3, spread];
  const tails = spreads.map((d) => successCdf(n, mean, d, block));
  return tails[0]!.map((_, s) => Math.max(...tails.map((t) => t[s]!)));
}
