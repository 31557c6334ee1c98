/**
 * Early stopping of a long evaluation stage whose success gate can no longer be met.
 *
 * Three rules, checked each time the live figures change:
 *
 * 1. **Cannot reach the target any more** (certain): even if every remaining episode succeeded,
 *    successes would stay below `target x total`. Needs the stage's episode total.
 * 2. **Every episode so far crashed** (`Episode error:`): after `ERRORS_AFTER` episodes that all
 *    ended in a caught exception the stage measures a bug, not the policy.
 * 3. **Sequential probability ratio test** (statistical): Wald's one-sided SPRT of
 *    "success >= ok" against "success = bad", with ok = target + margin and bad = target - 2 x
 *    margin. The likelihood ratio bad/ok is a non-negative supermartingale whenever the true
 *    success is at least `ok`, so by Ville's inequality it ever reaches 1/alpha with probability
 *    at most alpha, however often it is looked at: the test is always valid, and a stage that
 *    would pass comfortably is wrongly stopped at most alpha of the time. A stage whose true
 *    success sits between target and ok is stopped more often than that; this is the price of
 *    stopping a doomed stage in tens of episodes instead of hundreds (bench/early-stop.ts).
 */

export interface EarlyStopParams {
  /** Success rate the stage's gate needs, e.g. 0.8. */
  target: number;
  /** Bound on wrong stops when the true success rate is at least target + margin. */
  alpha: number;
  /** Distance from the target of the two hypotheses the test tells apart. */
  margin: number;
  /** Episodes the stage runs in all; enables rule 1. */
  total?: number;
}

export interface LiveCounts {
  episodes: number;
  successes: number;
  /** Episodes that ended in a caught exception. */
  errors?: number;
}

export type StopReason = 'cannot_reach' | 'all_errors' | 'sprt';

export interface StopVerdict {
  reason: StopReason;
  /** One sentence with the figures the decision rests on, for the run log. */
  evidence: string;
}

/** Crashed episodes in a row from the start after which the stage is stopped. */
export const ERRORS_AFTER = 5;

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_MARGIN = 0.05;

export interface SequentialTest {
  /** Undefined while the gate can still be met. */
  judge(counts: LiveCounts): StopVerdict | undefined;
  /** Log likelihood ratio of "bad" against "ok" for these counts. */
  llr(successes: number, episodes: number): number;
  readonly threshold: number;
  readonly ok: number;
  readonly bad: number;
}

export function sequentialTest(p: EarlyStopParams): SequentialTest {
  if (!(p.target > 0 && p.target < 1)) throw new RangeError(`early stop: target ${p.target} is not in (0, 1)`);
  if (!(p.alpha > 0 && p.alpha < 1)) throw new RangeError(`early stop: alpha ${p.alpha} is not in (0, 1)`);
  const ok = Math.min(p.target + p.margin, 0.999);
  const bad = Math.max(p.target - 2 * p.margin, 0.001);
  if (!(bad < ok)) throw new RangeError('early stop: margin leaves no room between the hypotheses');
  // Per success and per failure: log of how much likelier the outcome is under "bad".
  const onSuccess = Math.log(bad / ok);
  const onFailure = Math.log((1 - bad) / (1 - ok));
  const threshold = Math.log(1 / p.alpha);
  const needed = p.total === undefined ? undefined : Math.ceil(p.target * p.total - 1e-9);
  const llr = (s: number, n: number) => s * onSuccess + (n - s) * onFailure;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return {
    ok,
    bad,
    threshold,
    llr,
    judge({ episodes: n, successes: s, errors = 0 }) {
      if (n <= 0) return undefined;
      if (needed !== undefined && p.total !== undefined && s + Math.max(0, p.total - n) < needed) {
        return {
          reason: 'cannot_reach',
          evidence: `${s}/${n} successes; even if all ${Math.max(0, p.total - n)} remaining episodes succeed the stage ends below ${needed}/${p.total} (${pct(p.target)})`,
        };
      }
      if (n >= ERRORS_AFTER && errors >= n) {
        return { reason: 'all_errors', evidence: `all ${n} episodes so far ended in 'Episode error:'; the stage measures a crash, not the policy` };
      }
      const l = llr(s, n);
      if (l >= threshold) {
        return {
          reason: 'sprt',
          evidence: `${s}/${n} successes (${pct(s / n)}): likelihood ratio of ${pct(bad)} against ${pct(ok)} is ${Math.exp(l).toFixed(1)} >= 1/alpha = ${(1 / p.alpha).toFixed(0)} (SPRT; wrong stops <= ${pct(p.alpha)} when success >= ${pct(ok)})`,
        };
      }
      return undefined;
    },
  };
}
