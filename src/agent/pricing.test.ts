import { describe, expect, it } from 'vitest';
import { priceOf, pricesOf, DEFAULT_PRICES } from './pricing.js';

const usage = (inputTokens: number, outputTokens: number, cacheWriteTokens = 0, cacheReadTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheWriteTokens,
  cacheReadTokens,
});

describe('priceOf', () => {
  it('prices each family per million tokens', () => {
    expect(priceOf('claude-sonnet-4-6', usage(1_000_000, 0))).toBeCloseTo(3);
    expect(priceOf('claude-sonnet-4-6', usage(0, 1_000_000))).toBeCloseTo(15);
    expect(priceOf('claude-opus-4-1-20250805', usage(1_000_000, 1_000_000))).toBeCloseTo(90);
    expect(priceOf('claude-opus-4-6', usage(1_000_000, 1_000_000))).toBeCloseTo(30);
    expect(priceOf('claude-haiku-4-5-20251001', usage(1_000_000, 1_000_000))).toBeCloseTo(6);
    expect(priceOf('claude-3-5-haiku-20241022', usage(1_000_000, 1_000_000))).toBeCloseTo(4.8);
  });

  it('charges cache writes above and cache reads below the input rate', () => {
    expect(priceOf('claude-sonnet-4-6', usage(0, 0, 1_000_000, 0))).toBeCloseTo(3.75);
    expect(priceOf('claude-sonnet-4-6', usage(0, 0, 0, 1_000_000))).toBeCloseTo(0.3);
  });

  it('prices the OpenAI models served through LangChain, the mini before its family', () => {
    expect(priceOf('gpt-4o-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(0.75);
    expect(priceOf('gpt-4o-2024-08-06', usage(1_000_000, 1_000_000))).toBeCloseTo(12.5);
    expect(priceOf('gpt-4.1-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(2);
  });

  it('falls back to middle prices for unknown models', () => {
    expect(pricesOf('some-new-model')).toEqual(DEFAULT_PRICES);
    expect(priceOf('some-new-model', usage(1000, 1000))).toBeGreaterThan(0);
  });
});
