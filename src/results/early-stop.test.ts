import { describe, expect, it } from 'vitest';
import { sequentialTest } from './early-stop.js';
import { stageStopper } from './live-stop.js';
import { InputError } from '../errors.js';

const gate = sequentialTest({ target: 0.8, alpha: 0.01, margin: 0.05, total: 500 });

describe('the sequential test of a stage against its success gate', () => {
  it('tells 70% from 85%, stopping once the likelihood ratio reaches 1/alpha', () => {
    expect([gate.bad, gate.ok].map((x) => x.toFixed(2))).toEqual(['0.70', '0.85']);
    // Each failure multiplies the ratio by 0.30/0.15 = 2: 2^6 = 64 < 100 <= 2^7 = 128.
    expect(gate.judge({ episodes: 6, successes: 0 })).toBeUndefined();
    expect(gate.judge({ episodes: 7, successes: 0 })).toMatchObject({ reason: 'sprt' });
    expect(gate.judge({ episodes: 7, successes: 0 })!.evidence).toContain('likelihood ratio of 70.0% against 85.0% is 128.0 >= 1/alpha = 100');
  });

  it('keeps a stage going while its successes are what a passing stage shows', () => {
    for (let n = 1; n <= 500; n++) expect(gate.judge({ episodes: n, successes: Math.floor(n * 0.85) })).toBeUndefined();
  });

  it('stops for certain once the remaining episodes cannot lift the stage to the target', () => {
    const small = sequentialTest({ target: 0.8, alpha: 1e-9, margin: 0.05, total: 10 });
    expect(small.judge({ episodes: 2, successes: 0 })).toBeUndefined();
    expect(small.judge({ episodes: 3, successes: 0 })).toEqual({
      reason: 'cannot_reach',
      evidence: '0/3 successes; even if all 7 remaining episodes succeed the stage ends below 8/10 (80.0%)',
    });
  });

  it('stops when each of at least five episodes crashed, not before the fifth is counted', () => {
    expect(gate.judge({ episodes: 4, successes: 0, errors: 5 })).toBeUndefined();
    expect(gate.judge({ episodes: 5, successes: 0, errors: 5 })).toMatchObject({ reason: 'all_errors' });
    expect(gate.judge({ episodes: 5, successes: 1, errors: 4 })).toBeUndefined();
  });

  it('rejects a target or alpha outside (0, 1)', () => {
    expect(() => sequentialTest({ target: 80, alpha: 0.01, margin: 0.05 })).toThrow(RangeError);
    expect(() => sequentialTest({ target: 0.8, alpha: 0, margin: 0.05 })).toThrow(RangeError);
  });
});

describe('stageStopper (a run step\'s early_stop key)', () => {
  const vars = { min_success: '0.8', trials: '50', tasks: '10' };
  it('renders variables and arithmetic and reads the named metrics', () => {
    const stop = stageStopper({ successes: 'ok', episodes: 'n', errors: 'bad', target: '{{min_success}}', total: '{{trials}} * {{tasks}}' }, vars);
    expect(stop({ n: 7, ok: 0 })).toMatchObject({ reason: 'sprt' });
    expect(stop({ n: 7, ok: 6 })).toBeUndefined();
    expect(stop({ ok: 0 })).toBeUndefined();
    expect(stop({ n: 101, ok: 0 })).toMatchObject({ reason: 'cannot_reach' });
  });

  it('waits for an episode\'s outcome line before judging, so a count one line late is never read', () => {
    const stop = stageStopper({ successes: 'ok', episodes: 'n', target: '0.99', total: '10' }, vars);
    // "# episodes completed so far: 1" arrives before "# successes: 1".
    expect(stop({ n: 1 }, ['n'])).toBeUndefined();
    expect(stop({ n: 1, ok: 1 }, ['ok'])).toBeUndefined();
    expect(stop({ n: 2, ok: 1 }, ['n'])).toBeUndefined();
    expect(stop({ n: 2, ok: 1 }, ['ok'])).toMatchObject({ reason: 'cannot_reach' });
  });

  it('refuses a target that is not a number', () => {
    expect(() => stageStopper({ successes: 'ok', episodes: 'n', target: 'high' }, vars)).toThrow(InputError);
  });
});
