import { describe, expect, it } from 'vitest';
import { UsageTally } from './usage.js';

describe('UsageTally', () => {
  it('counts a message once, with what its last line says, and not again in a later turn', () => {
    const t = new UsageTally();
    t.message('msg_1', { inputTokens: 3, outputTokens: 1 }, 'claude-sonnet-4-5');
    t.message('msg_1', { inputTokens: 3, outputTokens: 212 }, 'claude-sonnet-4-5');
    t.message('msg_2', { outputTokens: 5 }, 'claude-sonnet-4-5');
    expect(t.take().usage).toEqual({ inputTokens: 3, outputTokens: 217, cacheReadTokens: 0, cacheWriteTokens: 0 });
    t.message('msg_1', { inputTokens: 3, outputTokens: 212 }, 'claude-sonnet-4-5');
    expect(t.take().usage.outputTokens).toBe(0);
  });

  it('takes a running total once per turn: repeats and a report that goes backwards add nothing', () => {
    const t = new UsageTally();
    t.cumulative({ inputTokens: 100, outputTokens: 10 });
    t.cumulative({ inputTokens: 100, outputTokens: 10 });
    expect(t.take().usage).toMatchObject({ inputTokens: 100, outputTokens: 10 });
    t.cumulative({ inputTokens: 90, outputTokens: 10 });
    t.cumulative({ inputTokens: 250, outputTokens: 30 });
    t.cumulative({ inputTokens: 250, outputTokens: 30 });
    expect(t.take().usage).toMatchObject({ inputTokens: 150, outputTokens: 20 });
    expect(t.take().usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it('prices Claude models and leaves other vendors at 0', () => {
    const t = new UsageTally();
    t.add({ inputTokens: 1_000_000 }, 'claude-sonnet-4-5');
    t.add({ inputTokens: 1_000_000 }, 'gpt-5.3-codex');
    expect(t.take().costUsd).toBeCloseTo(3, 6);
  });
});
