import { describe, expect, it } from 'vitest';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { blockPmf, successCdf, worstTail } from './early-stop-null.js';

describe('the null distribution of successes over task blocks', () => {
  it('is the binomial when tasks do not differ', () => {
    const cdf = successCdf(120, 0.85, 0, 50);
    for (const s of [80, 95, 100, 110]) expect(cdf[s]).toBeCloseTo(binomialCdf(s, 120, 0.85), 10);
  });

  it('sums to one per block and keeps the mean at the stated rate', () => {
    const pmf = blockPmf(50, 0.85, 0.15);
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(pmf.reduce((a, p, x) => a + p * x, 0)).toBeCloseTo(42.5, 1);
  });

  it('has a heavier lower tail when tasks differ, heaviest when all episodes are one task', () => {
    const exch = successCdf(100, 0.85, 0, 50)[70]!;
    const blocks = successCdf(100, 0.85, 0.15, 50)[70]!;
    const oneTask = successCdf(100, 0.85, 0.15)[70]!;
    expect(exch).toBeLessThan(blocks);
    expect(blocks).toBeLessThan(oneTask);
    expect(worstTail(100, 0.85, 0.15, 50)[70]).toBeCloseTo(blocks, 12);
  });
});
