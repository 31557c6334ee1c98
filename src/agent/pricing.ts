import type { Usage } from '../events/schema.js';

/**
 * Dollar cost of a model call from its token usage. Prices are USD per million tokens, from
 * the providers' published lists; cache writes are the 5-minute ephemeral rate (1.25x input) and
 * cache reads 0.1x input. Input tokens exclude cached ones, as the API reports them.
 */

export interface Prices {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const per = (input: number, output: number): Prices => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });

/** First match wins, so the newer, cheaper generations come before their family's catch-all. */
const TABLE: Array<[RegExp, Prices]> = [
  [/opus-(4-[5-9]|4-\d\d|[5-9])/, per(5, 25)],
  [/opus/, per(15, 75)],
  [/sonnet/, per(3, 15)],
  [/haiku-(4|[5-9])|haiku-\d-\d/, per(1, 5)],
  [/3-5-haiku|haiku-3-5/, per(0.8, 4)],
  [/haiku/, per(0.25, 1.25)],
  // OpenAI models for `--agent langchain:openai` (list prices; cached input is not reported
  // through LangChain, so only input and output count).
  [/gpt-4o-mini/, per(0.15, 0.6)],
  [/gpt-4o/, per(2.5, 10)],
  [/gpt-4\.1-nano/, per(0.1, 0.4)],
  [/gpt-4\.1-mini/, per(0.4, 1.6)],
  [/gpt-4\.1/, per(2, 8)],
];

/** Unknown models are priced as the middle family, so budgets still bite. */
export const DEFAULT_PRICES = per(3, 15);

export function pricesOf(model: string): Prices {
  const m = model.toLowerCase();
  return TABLE.find(([re]) => re.test(m))?.[1] ?? DEFAULT_PRICES;
}

export function priceOf(model: string, usage: Usage): number {
  const p = pricesOf(model);
  const dollars =
    usage.inputTokens * p.input +
    usage.outputTokens * p.output +
    (usage.cacheWriteTokens ?? 0) * p.cacheWrite +
    (usage.cacheReadTokens ?? 0) * p.cacheRead;
  return dollars / 1_000_000;
}
