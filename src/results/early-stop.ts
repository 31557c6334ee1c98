import { worstTail } from './early-stop-null.js';

/**
 * Early stopping of a long evaluation stage whose success gate can no longer be met.
 *
 * Three rules, checked each time the live figures change:
 *
 * 1. **Cannot reach the target any more** (certain): even if every remaining episode succeeded,
 *    successes would stay below `target x total`. Needs the stage's episode total.
 * 2. **Every episode so far crashed** (`Episode error:`): after `ERRORS_AFTER` episodes that all
 *    ended in a caught exception the stage measures a bug, not the policy.
 * 3. **Group-sequential test over task blocks** (statistical): at a few fixed looks (multiples
 *    of the task block, `LOOKS`) the successes so far are compared with their exact lower tail
 *    under the null "tasks' success rates spread evenly within +-spread around ok = target +
 *    margin", tasks run one after another (early-stop-null.ts). Each look spends its share of
 *    alpha (`LOOKS`' weights sum to 1), so by the union bound a stage whose tasks average at
 *    least `ok` is wrongly stopped at most alpha of the time, whether its episodes are
 *    exchangeable or come in blocks of unequal tasks, as long as the order the tasks run in is
 *    unrelated to how hard they are (the null draws each task's rate independently). A fixed
 *    order that puts the hardest tasks first is stopped wrongly more often (bench lines marked
 *    "not a target": about 2% with the hardest of ten first, 7% with the two hardest). The
 *    critical counts depend only on the parameters, so they are computed once; a look is one
 *    comparison. bench/early-stop.ts measures the error and the episodes spent.
 */

export interface EarlyStopParams {
  /** Success rate the stage's gate needs, e.g. 0.8. */
  target: number;
  /** Bound on wrong stops when the tasks' mean success rate is at least target + margin. */
  alpha: number;
  /** Distance above the target of the null the test rejects. */
  margin: number;
  /** Episodes the stage runs in all; enables rule 1 and bounds the looks. */
  total?: number;
  /** Episodes per task block (LIBERO: trials per task); undefined reads the stage as one task. */
  taskEpisodes?: number;
  /** Largest distance of a task's success rate from the stage's mean (default 0.15). */
  spread?: number;
}

export interface LiveCounts {
  episodes: number;
  successes: number;
  /** Episodes that ended in a caught exception. */
  errors?: number;
}

export type StopReason = 'cannot_reach' | 'all_errors' | 'blocks';

export interface StopVerdict {
  reason: StopReason;
  /** One sentence with the figures the decision rests on, for the run log. */
  evidence: string;
}

/** Crashed episodes in a row from the start after which the stage is stopped. */
export const ERRORS_AFTER = 5;

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_MARGIN = 0.05;
export const DEFAULT_SPREAD = 0.15;
/** Block size the looks are placed by when the stage does not say (LIBERO's 50 trials). */
const LOOK_UNIT = 50;

/**
 * Where the test looks, in task blocks, and each look's share of alpha. Most of it goes to the
 * look early in the second task: by then two tasks have spoken, so one hard task alone cannot
 * stop a good stage, and a doomed stage is stopped after about a tenth of its episodes.
 */
export const LOOKS: ReadonlyArray<{ blocks: number; share: number }> = [
  { blocks: 0.6, share: 0.1 },
  { blocks: 1.2, share: 0.4 },
  { blocks: 2, share: 0.15 },
  { blocks: 3, share: 0.1 },
  { blocks: 5, share: 0.1 },
  { blocks: 7, share: 0.075 },
  { blocks: 9, share: 0.075 },
];

export interface Look {
  episodes: number;
  alpha: number;
  /** Stop when successes are at most this (-1: no count is low enough). */
  critical: number;
  /** Least favourable P(successes <= s) under the null, per s. */
  tail: Float64Array;
}

/** One stage's judge: undefined while the gate can still be met. It remembers the looks taken. */
export type Judge = (counts: LiveCounts) => StopVerdict | undefined;

export interface SequentialTest {
  /** A judge for one stage; the critical counts are shared. */
  start(): Judge;
  readonly ok: number;
  readonly looks: readonly Look[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function sequentialTest(p: EarlyStopParams): SequentialTest {
  if (!(p.target > 0 && p.target < 1)) throw new RangeError(`early stop: target ${p.target} is not in (0, 1)`);
  if (!(p.alpha > 0 && p.alpha < 1)) throw new RangeError(`early stop: alpha ${p.alpha} is not in (0, 1)`);
  const spread = p.spread ?? DEFAULT_SPREAD;
  if (!(spread >= 0 && spread < 0.5)) throw new RangeError(`early stop: spread ${spread} is not in [0, 0.5)`);
  const ok = Math.min(p.target + p.margin, 0.999);
  const unit = p.taskEpisodes ?? LOOK_UNIT;
  const looks: Look[] = LOOKS.map(({ blocks, share }) => ({ episodes: Math.round(blocks * unit), alpha: p.alpha * share }))
    .filter((l) => p.total === undefined || l.episodes < p.total)
    .map((l) => {
      const tail = worstTail(l.episodes, ok, spread, p.taskEpisodes);
      let critical = -1;
      while (critical + 1 <= l.episodes && tail[critical + 1]! <= l.alpha) critical++;
      return { ...l, critical, tail };
    });
  const needed = p.total === undefined ? undefined : Math.ceil(p.target * p.total - 1e-9);
  return {
    ok,
    looks,
    start() {
      // Looks already taken: a look whose episode count was skipped in the output is taken at
      // the next count, with the tail recomputed for the episodes actually seen.
      let taken = 0;
      return ({ episodes: n, successes: s, errors = 0 }) => {
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
        let verdict: StopVerdict | undefined;
        while (taken < looks.length && looks[taken]!.episodes <= n) {
          const look = looks[taken++]!;
          const tail = look.episodes === n ? look.tail : worstTail(n, ok, spread, p.taskEpisodes);
          const pValue = tail[Math.min(s, n)]!;
          if (verdict === undefined && pValue <= look.alpha) {
            const blocks = p.taskEpisodes === undefined ? 'all episodes one task' : `tasks of ${p.taskEpisodes} episodes`;
            verdict = {
              reason: 'blocks',
              evidence: `${s}/${n} successes (${pct(s / n)}): with ${blocks} whose success rates spread up to +-${spread} around ${pct(ok)}, P(at most ${s}) = ${pValue.toExponential(2)} <= ${look.alpha.toExponential(2)}, this look's share of alpha ${p.alpha} (wrong stops <= ${pct(p.alpha)} when the tasks average >= ${pct(ok)})`,
            };
          }
        }
        return verdict;
      };
    },
  };
}
