import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, parseDuration, timerMs } from './duration.js';

describe('durations', () => {
  it('read seconds and units as milliseconds', () => {
    expect([parseDuration(90), parseDuration('500ms'), parseDuration('1.5m'), parseDuration('2h')]).toEqual([90_000, 500, 90_000, 7_200_000]);
  });

  it('give a timer no more than Node keeps, so a long timeout never fires at once', async () => {
    expect(timerMs('1000h')).toBe(MAX_TIMER_MS);
    expect(timerMs('30m')).toBe(1_800_000);
    // What the clamp prevents: Node fires an overflowing delay after 1 ms.
    const fired = await new Promise<boolean>((res) => {
      const t = setTimeout(() => res(true), timerMs('1000h'));
      setTimeout(() => {
        clearTimeout(t);
        res(false);
      }, 50);
    });
    expect(fired).toBe(false);
  });
});
