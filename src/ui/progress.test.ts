import { describe, expect, it } from 'vitest';
import { progressLine, startProgress, timeLeft } from './progress.js';

describe('evaluation progress from output lines', () => {
  it('reads the trial count from the command, shell-quoted or not', () => {
    expect(startProgress("modal run eval.py --num-trials '50' --use-speculative-decoding", 0).trials).toBe(50);
    expect(startProgress('modal run eval.py --num-trials=5', 0).trials).toBe(5);
  });

  it('knows the total once the task count is printed, and estimates the time left from the pace', () => {
    let p = startProgress('modal run eval.py --num-trials 2', 0);
    for (const line of ['LIBERO environment created: libero_spatial (10 tasks)', '# episodes completed so far: 5', '# successes: 4 (80.0%)']) {
      p = progressLine(p, line);
    }
    expect(p).toMatchObject({ total: 20, episodes: 5, successes: 4 });
    expect(timeLeft(p, 50_000)).toBe(150_000);
  });

  it('falls back to the trials the evaluation prints when the command does not say', () => {
    let p = startProgress('modal run eval.py', 0);
    p = progressLine(p, 'Phase 3 evaluation: suite=libero_spatial trials/task=3 speculative=False');
    p = progressLine(p, 'LIBERO environment created: libero_spatial (10 tasks)');
    expect(p.total).toBe(30);
  });

  it('returns the same object for lines that say nothing about progress', () => {
    const p = startProgress('x', 0);
    expect(progressLine(p, 'Loading checkpoint shards: 100%')).toBe(p);
  });
});
