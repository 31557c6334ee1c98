import type { Usage } from '../../events/schema.js';
import { priceOf } from '../../agent/pricing.js';

export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

function plus(a: Usage, b: Partial<Usage>): Usage {
  return {
    inputTokens: a.inputTokens + (b.inputTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
    cacheReadTokens: a.cacheReadTokens + (b.cacheReadTokens ?? 0),
    cacheWriteTokens: a.cacheWriteTokens + (b.cacheWriteTokens ?? 0),
  };
}

function minus(a: Usage, b: Usage): Usage {
  return {
    inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
    outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
    cacheReadTokens: Math.max(0, a.cacheReadTokens - b.cacheReadTokens),
    cacheWriteTokens: Math.max(0, a.cacheWriteTokens - b.cacheWriteTokens),
  };
}

const total = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/**
 * A turn's token usage, however the transcript reports it: counts to add (one message, one
 * response), counts per API message that later lines of the same message restate (a streamed
 * message is written once per content block, and the last line holds its final counts), or a
 * running total for the whole session (only its growth since the last turn belongs to this one).
 */
export class UsageTally {
  private added = zeroUsage();
  private addedCost = 0;
  private readonly messages = new Map<string, { usage: Usage; model: string }>();
  /** Messages already counted in an earlier turn (a resumed session repeats its history). */
  private readonly counted = new Set<string>();
  private latestTotal = zeroUsage();
  private takenTotal = zeroUsage();

  /** Counts to add, priced at `model` (no model: no known price). */
  add(u: Partial<Usage>, model = ''): void {
    this.added = plus(this.added, u);
    this.addedCost += price(model, plus(zeroUsage(), u));
  }

  /** One API message's counts, replacing what an earlier line of the same message said. */
  message(key: string, u: Partial<Usage>, model = ''): void {
    if (this.counted.has(key)) return;
    this.messages.set(key, { usage: plus(zeroUsage(), u), model });
  }

  /** The session's running total so far; repeats and reports that go backwards change nothing. */
  cumulative(u: Partial<Usage>): void {
    const next = plus(zeroUsage(), u);
    if (total(next) >= total(this.latestTotal)) this.latestTotal = next;
  }

  /** What accrued since the last take: the turn's usage and its cost. */
  take(): { usage: Usage; costUsd: number } {
    let usage = plus(this.added, minus(this.latestTotal, this.takenTotal));
    let costUsd = this.addedCost;
    for (const [key, m] of this.messages) {
      usage = plus(usage, m.usage);
      costUsd += price(m.model, m.usage);
      this.counted.add(key);
    }
    this.added = zeroUsage();
    this.addedCost = 0;
    this.messages.clear();
    this.takenTotal = this.latestTotal;
    return { usage, costUsd };
  }
}

/** Only Claude models have a known price here; another vendor's tokens cost an unknown amount, shown as 0. */
function price(model: string, u: Usage): number {
  return /claude/i.test(model) ? priceOf(model, u) : 0;
}
