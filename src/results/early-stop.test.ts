import { describe, expect, it } from 'vitest';
import { LOOKS, sequentialTest } from './early-stop.js';
import { successCdf } from './early-stop-null.js';
import { stageStopper } from './live-stop.js';
import { InputError } from '../errors.js';

const gate = sequentialTest({ target: 0.8, alpha: 0.01, margin: 0.05, total: 500, taskEpisodes: 50 });

/** Feeds a judge one episode at a time from a list of outcomes; returns where it stopped. */
function feed(outcomes: boolean[], test = gate) {
  const judge = test.start();
  let s = 0;
  for (let n = 1; n <= outcomes.length; n++) {
    s += outcomes[n - 1] ? 1 : 0;
    const v = judge({ episodes: n, successes: s });
    if (v) return { n, s, ...v };
  }
  return undefined;
}
const run = (n: number, successes: number) => Array.from({ length: n }, (_, i) => i < successes);

describe('the group-sequential test of a stage against its success gate, over task blocks', () => {
  it('looks only at its scheduled episode counts, spending all of alpha across them', () => {
    expect(gate.looks.map((l) => l.episodes)).toEqual([30, 60, 100, 150, 250, 350, 450]);
    expect(LOOKS.reduce((a, l) => a + l.share, 0)).toBeCloseTo(1, 12);
    expect(gate.looks.reduce((a, l) => a + l.alpha, 0)).toBeCloseTo(0.01, 12);
  });

  it('sets each look\'s critical count where the least favourable null tail crosses its alpha', () => {
    for (const look of gate.looks) {
      expect(look.tail[look.critical]!).toBeLessThanOrEqual(look.alpha);
      expect(look.tail[look.critical + 1]!).toBeGreaterThan(look.alpha);
      // The tasks-differ null is never lighter-tailed than exchangeable episodes.
      expect(look.tail[look.critical]!).toBeGreaterThanOrEqual(successCdf(look.episodes, gate.ok, 0, 50)[look.critical]!);
    }
  });

  it('stops at the look after the first task when two tasks both run at 60%', () => {
    const v = feed([...run(50, 30), ...run(10, 6)]);
    expect(v).toMatchObject({ n: 60, s: 36, reason: 'blocks' });
    expect(v!.evidence).toMatch(/^36\/60 successes \(60\.0%\): with tasks of 50 episodes whose success rates spread up to \+-0\.15 around 85\.0%, P\(at most 36\) = [0-9.]+e-3 <= 4\.00e-3, this look's share of alpha 0\.01/);
  });

  it('does not stop for one hard task at 70% followed by good ones', () => {
    expect(feed([...run(50, 35), ...Array.from({ length: 450 }, (_, i) => i % 10 !== 0)])).toBeUndefined();
  });

  it('reads a stage without task blocks as one task: a low start alone is not enough', () => {
    const oneTask = sequentialTest({ target: 0.8, alpha: 0.01, margin: 0.05, total: 500 });
    expect(feed([...run(50, 30), ...run(10, 6)], oneTask)).toBeUndefined();
    expect(oneTask.looks[1]!.critical).toBeLessThan(gate.looks[1]!.critical);
  });

  it('takes a look whose count the output skipped at the next count, once', () => {
    const judge = gate.start();
    expect(judge({ episodes: 29, successes: 10 })).toBeUndefined();
    expect(judge({ episodes: 32, successes: 10 })).toMatchObject({ reason: 'blocks' });
    const later = gate.start();
    expect(later({ episodes: 32, successes: 25 })).toBeUndefined();
    expect(later({ episodes: 33, successes: 10 })).toBeUndefined();
  });

  it('stops for certain once the remaining episodes cannot lift the stage to the target', () => {
    const small = sequentialTest({ target: 0.8, alpha: 1e-9, margin: 0.05, total: 10 }).start();
    expect(small({ episodes: 2, successes: 0 })).toBeUndefined();
    expect(small({ episodes: 3, successes: 0 })).toEqual({
      reason: 'cannot_reach',
      evidence: '0/3 successes; even if all 7 remaining episodes succeed the stage ends below 8/10 (80.0%)',
    });
  });

  it('stops when each of at least five episodes crashed, not before the fifth is counted', () => {
    const judge = gate.start();
    expect(judge({ episodes: 4, successes: 0, errors: 5 })).toBeUndefined();
    expect(judge({ episodes: 5, successes: 0, errors: 5 })).toMatchObject({ reason: 'all_errors' });
    expect(gate.start()({ episodes: 5, successes: 1, errors: 4 })).toBeUndefined();
  });

  it('rejects a target, alpha or spread outside its range', () => {
    expect(() => sequentialTest({ target: 80, alpha: 0.01, margin: 0.05 })).toThrow(RangeError);
    expect(() => sequentialTest({ target: 0.8, alpha: 0, margin: 0.05 })).toThrow(RangeError);
    expect(() => sequentialTest({ target: 0.8, alpha: 0.01, margin: 0.05, spread: 0.7 })).toThrow(RangeError);
  });
});

describe('stageStopper (a run step\'s early_stop key)', () => {
  const vars = { min_success: '0.8', trials: '50', tasks: '10' };
  it('renders variables and arithmetic and reads the named metrics', () => {
    const spec = { successes: 'ok', episodes: 'n', errors: 'bad', target: '{{min_success}}', total: '{{trials}} * {{tasks}}', task_episodes: '{{trials}}' };
    expect(stageStopper(spec, vars)({ n: 30, ok: 5 })).toMatchObject({ reason: 'blocks' });
    expect(stageStopper(spec, vars)({ n: 30, ok: 25 })).toBeUndefined();
    expect(stageStopper(spec, vars)({ ok: 0 })).toBeUndefined();
    expect(stageStopper(spec, vars)({ n: 101, ok: 0 })).toMatchObject({ reason: 'cannot_reach' });
  });

  it('waits for an episode\'s outcome line before judging, so a count one line late is never read', () => {
    const stop = stageStopper({ successes: 'ok', episodes: 'n', target: '0.99', total: '10' }, vars);
    // "# episodes completed so far: 1" arrives before "# successes: 1".
    expect(stop({ n: 1 }, ['n'])).toBeUndefined();
    expect(stop({ n: 1, ok: 1 }, ['ok'])).toBeUndefined();
    expect(stop({ n: 2, ok: 1 }, ['n'])).toBeUndefined();
    expect(stop({ n: 2, ok: 1 }, ['ok'])).toMatchObject({ reason: 'cannot_reach' });
  });

  it('refuses a target or task size that is not a number', () => {
    expect(() => stageStopper({ successes: 'ok', episodes: 'n', target: 'high' }, vars)).toThrow(InputError);
    expect(() => stageStopper({ successes: 'ok', episodes: 'n', target: '0.8', task_episodes: 'fifty' }, vars)).toThrow(InputError);
  });
});
