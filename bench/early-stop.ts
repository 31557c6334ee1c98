import { prng as rng } from './generators/log-noise.js';
import { DEFAULT_ALPHA, DEFAULT_MARGIN, sequentialTest, type StopReason } from '../src/results/early-stop.js';

/**
 * Early stopping of the full stage (src/results/early-stop.ts), simulated: 10,000 stages of 500
 * episodes per true success rate against the RSD playbook's 0.8 gate. A doomed stage (0.5, 0.6,
 * 0.7) should be stopped within a median of 60 episodes; a good one (0.85, 0.9) wrongly at most
 * 1% of the time. Episodes are independent draws from a seeded generator, so the figures are
 * the same on every run.
 */
const STAGES = 10_000;
const TOTAL = 500;
const TARGET = 0.8;
const DOOMED = [0.5, 0.6, 0.7];
const GOOD = [0.85, 0.9];
const MEDIAN_TARGET = 60;
const WRONG_TARGET = 0.01;

export interface Outcome {
  /** Episodes run before the stop, or TOTAL when the stage ran to the end. */
  spent: number;
  reason?: StopReason;
  /** Whether the whole stage, run to the end on the same draws, would have met the gate. */
  wouldPass: boolean;
}

/** One stage; `truth(n)` is the success chance of episode n (0-based). */
export function simulateStage(truth: (n: number) => number, random: () => number, total = TOTAL): Outcome {
  const test = sequentialTest({ target: TARGET, alpha: DEFAULT_ALPHA, margin: DEFAULT_MARGIN, total });
  let successes = 0;
  let stop: { spent: number; reason: StopReason } | undefined;
  for (let n = 1; n <= total; n++) {
    if (random() < truth(n - 1)) successes++;
    const verdict = stop ? undefined : test.judge({ episodes: n, successes });
    if (verdict) stop = { spent: n, reason: verdict.reason };
  }
  return { spent: stop?.spent ?? total, reason: stop?.reason, wouldPass: successes >= TARGET * total };
}

/**
 * Tasks differ: the suite's 10 tasks run one after another, 50 episodes each, with success
 * rates spread evenly over truth +- 0.1 in a shuffled order, so the first tasks may be the hard ones.
 */
function perTask(truth: number, random: () => number): (n: number) => number {
  const rates = Array.from({ length: 10 }, (_, i) => truth - 0.1 + (0.2 * i) / 9);
  for (let i = rates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rates[i], rates[j]] = [rates[j]!, rates[i]!];
  }
  return (n) => rates[Math.floor(n / 50)]!;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<void> {
  const test = sequentialTest({ target: TARGET, alpha: DEFAULT_ALPHA, margin: DEFAULT_MARGIN, total: TOTAL });
  console.log(
    `early-stop: ${STAGES} stages of ${TOTAL} episodes per rate, gate ${TARGET}; SPRT ${test.bad.toFixed(2)} against ${test.ok.toFixed(2)}, alpha ${DEFAULT_ALPHA}`,
  );
  let missed = false;
  for (const truth of [...DOOMED, ...GOOD]) {
    const random = rng(Math.round(truth * 1000));
    const outcomes = Array.from({ length: STAGES }, () => simulateStage(() => truth, random));
    const stopped = outcomes.filter((o) => o.reason !== undefined);
    const spent = outcomes.map((o) => o.spent).sort((a, b) => a - b);
    const rate = stopped.length / STAGES;
    const byRule = (r: StopReason) => outcomes.filter((o) => o.reason === r).length;
    const rules = `sprt ${byRule('sprt')}, cannot reach ${byRule('cannot_reach')}`;
    if (DOOMED.includes(truth)) {
      const median = quantile(spent, 0.5);
      const ok = median <= MEDIAN_TARGET && rate > 0.99;
      missed ||= !ok;
      console.log(
        `  true ${truth.toFixed(2)}: stopped ${(rate * 100).toFixed(2)}%, episodes spent median ${median}, p90 ${quantile(spent, 0.9)}, max ${spent[spent.length - 1]} (${rules}) (target median <= ${MEDIAN_TARGET}) ${ok ? 'OK' : 'MISSED'}`,
      );
    } else {
      const ok = rate <= WRONG_TARGET;
      missed ||= !ok;
      const passing = stopped.filter((o) => o.wouldPass).length;
      console.log(
        `  true ${truth.toFixed(2)}: stopped ${stopped.length}/${STAGES} = ${(rate * 100).toFixed(2)}% (${rules}; ${passing} of them would have met the gate) (target: wrong stops <= ${WRONG_TARGET * 100}%) ${ok ? 'OK' : 'MISSED'}`,
      );
    }
  }
  // Not a target: how much the order of unequal tasks costs.
  for (const truth of [0.7, 0.85, 0.9]) {
    const random = rng(Math.round(truth * 1000) + 1);
    const outcomes = Array.from({ length: STAGES }, () => simulateStage(perTask(truth, random), random));
    const stopped = outcomes.filter((o) => o.reason !== undefined);
    const spent = outcomes.map((o) => o.spent).sort((a, b) => a - b);
    console.log(
      `  true ${truth.toFixed(2)}, tasks spread +-0.1 in blocks of 50: stopped ${((stopped.length / STAGES) * 100).toFixed(2)}%, episodes spent median ${quantile(spent, 0.5)}, stopped though the stage would have met the gate ${stopped.filter((o) => o.wouldPass).length}/${STAGES}`,
    );
  }
  if (missed) process.exitCode = 1;
}
