import { describe, expect, it } from 'vitest';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { clopperPearson, fisherExact, mcnemarExact, pairedT, pooledDifference, pValue, tCritical, welchDf, wilson } from './significance.js';

describe('intervals on a success rate', () => {
  it('Clopper-Pearson puts 2.5% of the binomial beyond each end', () => {
    const { low, high } = clopperPearson(46, 50);
    expect(1 - binomialCdf(45, 50, low)).toBeCloseTo(0.025, 6);
    expect(binomialCdf(46, 50, high)).toBeCloseTo(0.025, 6);
    expect([low, high].map((x) => x.toFixed(4))).toEqual(['0.8077', '0.9778']);
    expect(clopperPearson(0, 10).low).toBe(0);
    expect(clopperPearson(10, 10).high).toBe(1);
  });

  it('Wilson matches its closed form: 0/10 reaches 27.75%', () => {
    expect(wilson(0, 10).high.toFixed(4)).toBe('0.2775');
  });
});

describe('the difference between two stages', () => {
  it("Fisher's exact test gives the tea-tasting p-value", () => {
    expect(fisherExact({ successes: 3, episodes: 4 }, { successes: 1, episodes: 4 })).toBeCloseTo(0.4857, 4);
  });

  it("Newcombe's interval of 56/70 - 48/80 is Newcombe's published 0.0524 to 0.3339", () => {
    const d = pooledDifference({ successes: 56, episodes: 70 }, { successes: 48, episodes: 80 });
    expect(d.difference).toBeCloseTo(0.2, 12);
    expect([d.low, d.high].map((x) => x.toFixed(4))).toEqual(['0.0524', '0.3339']);
  });

  it('exact McNemar is the binomial test on discordant pairs', () => {
    expect(mcnemarExact(2, 8, 50).p).toBeCloseTo((2 * (1 + 10 + 45)) / 1024, 12);
    expect(mcnemarExact(0, 0, 50).p).toBe(1);
  });

  it('the paired t-test uses the t quantile of its degrees of freedom', () => {
    const t = pairedT([1, 2, 3, 4])!;
    expect(t.df).toBe(3);
    expect(t.p).toBeCloseTo(0.0305, 4);
    expect([t.low, t.high].map((x) => x.toFixed(3))).toEqual(['0.446', '4.554']);
    expect(pairedT([1])).toBeUndefined();
  });

  it('Welch degrees of freedom lie between the smaller sample and the two together', () => {
    expect(welchDf(1, 10, 1, 10)).toBeCloseTo(18, 10);
    expect(welchDf(1, 10, 0.001, 1000)).toBeLessThan(11);
    expect(tCritical(9)).toBeCloseTo(2.262, 3);
    expect(tCritical(1e6)).toBeCloseTo(1.96, 2);
  });

  it('prints small p-values as a bound', () => {
    expect([pValue(0.0004), pValue(0.0321)]).toEqual(['p < 0.001', 'p = 0.032']);
  });
});
